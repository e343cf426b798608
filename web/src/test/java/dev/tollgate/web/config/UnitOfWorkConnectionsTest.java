package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.common.jdbc.JdbcUtils;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * A pooled connection must go back to the pool once. Closed a second time after another thread borrowed it,
 * HikariCP clears that thread's list of open statements, and the thread fails with an index of -1 in the middle
 * of an append (seen in bench/ledger: a transfer answered with an error; ADR 25).
 */
class UnitOfWorkConnectionsTest {

    @Test
    void aCommandsConnectionIsClosedOnceWhenItsUnitOfWorkEnds() throws Exception {
        // given the connection provider Tollgate gives Axon, over a pool that counts closes
        CountingDataSource pool = new CountingDataSource();
        ConnectionProvider provider = new AxonConfig().connectionProvider(pool);

        // when a command's unit of work, in a Spring transaction, reads and writes through it and commits
        runCommandThatAppends(pool, provider);

        // then every connection that was borrowed went back exactly once
        assertThat(pool.borrowed()).isPositive();
        assertThat(pool.closesPerConnection()).containsOnly(1);
    }

    @Test
    void axonsDefaultProviderClosesItAgainAfterTheTransactionReturnedIt() throws Exception {
        // Why Tollgate does not keep Axon's default (JdbcAutoConfiguration): if this stops failing that way, an
        // Axon upgrade fixed it and ADR 25 can be revisited.
        CountingDataSource pool = new CountingDataSource();
        ConnectionProvider axonsDefault =
                new UnitOfWorkAwareConnectionProviderWrapper(new SpringDataSourceConnectionProvider(pool));

        runCommandThatAppends(pool, axonsDefault);

        assertThat(pool.closesPerConnection()).contains(2);
    }

    private static void runCommandThatAppends(DataSource pool, ConnectionProvider provider) throws Exception {
        SpringTransactionManager transactions = new SpringTransactionManager(new JdbcTransactionManager(pool));
        DefaultUnitOfWork<?> unitOfWork =
                DefaultUnitOfWork.startAndGet(GenericCommandMessage.asCommandMessage("ReserveCredits"));
        unitOfWork.attachTransaction(transactions);
        unitOfWork.onPrepareCommit(u -> {
            // as Axon's event store appends: get, use, close (a release within the transaction)
            Connection connection = null;
            try {
                connection = provider.getConnection();
                try (ResultSet one = connection.prepareStatement("SELECT 1").executeQuery()) {
                    one.next();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                JdbcUtils.closeQuietly(connection);
            }
        });
        unitOfWork.commit();
    }

    /** An H2 data source whose connections count how often they are closed. */
    private static final class CountingDataSource extends DelegatingDataSource {
        private final Map<Integer, AtomicInteger> closes = new ConcurrentHashMap<>();
        private final AtomicInteger borrowed = new AtomicInteger();

        CountingDataSource() {
            JdbcDataSource h2 = new JdbcDataSource();
            h2.setURL("jdbc:h2:mem:connections-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
            setTargetDataSource(h2);
        }

        @Override
        public Connection getConnection() throws java.sql.SQLException {
            Connection real = super.getConnection();
            int id = borrowed.incrementAndGet();
            AtomicInteger count = closes.computeIfAbsent(id, k -> new AtomicInteger());
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            if (count.incrementAndGet() > 1) {
                                return null; // a pool would now clear someone else's statements
                            }
                        }
                        if (method.getName().equals("isClosed") && count.get() > 0) {
                            return true;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        int borrowed() {
            return borrowed.get();
        }

        List<Integer> closesPerConnection() {
            return closes.values().stream().map(AtomicInteger::get).toList();
        }
    }
}
