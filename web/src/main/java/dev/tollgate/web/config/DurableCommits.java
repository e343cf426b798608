package dev.tollgate.web.config;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.stereotype.Component;

/**
 * The embedded default's commits return only once they are in the file (ADR 58, after ADR 56), written in groups:
 * every connection of the pool waits, after a commit and after a change made in auto-commit, for a write of the store
 * that covers it ({@link GroupCommit}). H2 itself keeps its write delay and its background writer, which rewrites
 * sparse chunks. On any other database the pool is left as it is: PostgreSQL's commit already waits for its WAL.
 *
 * <p>A command lane does not wait (ADR 59): it commits through {@link #LANE_COMMITS}, and its callers are answered after
 * the write. The read models do not wait at all ({@link ReadModelCommits}, ADR 62): their rows are rebuilt from the
 * events.
 */
@Component
public class DurableCommits implements BeanPostProcessor {
    private static final Set<String> CHANGES = Set.of("executeUpdate", "executeLargeUpdate", "execute",
            "executeBatch", "executeLargeBatch");

    /** Set while a thread commits without waiting: the store whose write its commits then wait for, if any. */
    private static final ThreadLocal<Unwaited> UNWAITED = new ThreadLocal<>();

    private static final class Unwaited {
        GroupCommit owedTo;
    }

    /**
     * A lane's commit on the embedded default returns without waiting for the store's write; its callers are answered
     * after that write, which an idle lane leads itself. Elsewhere (nothing wrapped) the commit is durable when it
     * returns.
     */
    public static final SharedCommitCommandBus.LaneCommits LANE_COMMITS = commit -> {
        GroupCommit owedTo = runUnwaited(commit);
        return owedTo == null ? then -> then.accept(null) : new SharedCommitCommandBus.Written() {
            @Override
            public void then(Consumer<Throwable> then) {
                owedTo.afterWrite(then);
            }

            @Override
            public void await() {
                owedTo.await();
            }
        };
    };

    /** Runs {@code work} with its commits not waiting for the store's write; returns the store they wait for. */
    static GroupCommit runUnwaited(Runnable work) {
        Unwaited outer = UNWAITED.get();
        Unwaited unwaited = outer != null ? outer : new Unwaited();
        UNWAITED.set(unwaited);
        try {
            work.run();
        } finally {
            if (outer == null) {
                UNWAITED.remove();
            }
        }
        return unwaited.owedTo;
    }

    private static void committed(GroupCommit commits) {
        Unwaited unwaited = UNWAITED.get();
        if (unwaited == null) {
            commits.await();
        } else {
            unwaited.owedTo = commits;
        }
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof com.zaxxer.hikari.HikariDataSource pool && isEmbeddedFile(pool.getJdbcUrl())) {
            return new Durable(pool);
        }
        return bean;
    }

    static boolean isEmbeddedFile(String url) {
        if (url == null || !url.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = url.substring("jdbc:h2:".length());
        return !rest.startsWith("mem:") && !rest.startsWith("tcp:") && !rest.startsWith("ssl:");
    }

    /** The pool, with each connection's commits made durable before they return. */
    static final class Durable extends DelegatingDataSource {
        private volatile GroupCommit group;

        Durable(DataSource pool) {
            super(pool);
        }

        @Override
        public Connection getConnection() throws SQLException {
            return durable(super.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return durable(super.getConnection(username, password));
        }

        private Connection durable(Connection connection) throws SQLException {
            GroupCommit commits = groupOf(connection);
            if (commits == null) {
                return connection;
            }
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, new Committing(connection, commits));
        }

        private GroupCommit groupOf(Connection connection) throws SQLException {
            GroupCommit known = group;
            if (known == null && connection.isWrapperFor(JdbcConnection.class)
                    && connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session
                    && session.getDatabase().getStore() != null) {
                MVStore store = session.getDatabase().getStore().getMvStore();
                if (store.getFileStore() != null) {
                    synchronized (this) {
                        if (group == null) {
                            group = new GroupCommit(store);
                        }
                        known = group;
                    }
                }
            }
            return known;
        }
    }

    /** A connection whose commit, and whose changes in auto-commit, wait for the store's write. */
    private record Committing(Connection target, GroupCommit commits) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (name.equals("equals")) {
                return proxy == args[0];
            }
            if (name.equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            if (name.equals("unwrap") && args[0] instanceof Class<?> type && type.isInstance(proxy)) {
                return proxy;
            }
            if (name.equals("isWrapperFor") && args[0] instanceof Class<?> type && type.isInstance(proxy)) {
                return true;
            }
            boolean wasManual = name.equals("setAutoCommit") && !target.getAutoCommit();
            Object result = call(target, method, args);
            if (name.equals("commit") || wasManual && Boolean.TRUE.equals(args[0])) {
                committed(commits);
            } else if (result instanceof Statement statement && !(result instanceof Proxy)) {
                Class<?>[] types = statement instanceof java.sql.CallableStatement
                        ? new Class<?>[] {java.sql.CallableStatement.class}
                        : statement instanceof java.sql.PreparedStatement
                                ? new Class<?>[] {java.sql.PreparedStatement.class} : new Class<?>[] {Statement.class};
                return Proxy.newProxyInstance(Connection.class.getClassLoader(), types,
                        new Changing(statement, target, commits));
            }
            return result;
        }
    }

    /** A statement whose changes, when its connection commits each on its own, wait for the store's write. */
    private record Changing(Statement target, Connection connection, GroupCommit commits)
            implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("equals")) {
                return proxy == args[0];
            }
            if (method.getName().equals("hashCode")) {
                return System.identityHashCode(proxy);
            }
            Object result = call(target, method, args);
            if (CHANGES.contains(method.getName()) && connection.getAutoCommit()) {
                committed(commits);
            }
            return result;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
