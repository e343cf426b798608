package dev.tollgate.web.config;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The embedded default's file kept close to its live size (ADR 57). Every answer waits for a write of the store
 * (ADR 56, ADR 58), so the file gets many small chunks, most of each dead a moment later; a dead chunk's space is
 * reused only after H2's retention time (45 s), and partly dead chunks stay until H2's background writer rewrites them.
 * Every {@link #PERIOD_MS} ms this thread forces the file to the disk, which makes a retention of {@link #RETENTION_MS}
 * ms safe, rewrites sparse chunks (H2's writer stops doing so once the store looks idle), and, when H2 runs without
 * its writer ({@code WRITE_DELAY=0} in an operator's own URL), runs the rest of the writer's housekeeping itself.
 * Only the store's own lock is taken, for as long as H2 itself would take it.
 */
@Component
public class EmbeddedStoreHousekeeping implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStoreHousekeeping.class);
    public static final long PERIOD_MS = 500;
    public static final int RETENTION_MS = 2_000;
    /** H2's own target when it is not idle (90% squared). */
    private static final int FILL_RATE = 81;
    private static final int WRITE_LIMIT = 1024 * 1024;

    private final DataSource dataSource;
    private ScheduledExecutorService thread;

    public EmbeddedStoreHousekeeping(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void start() {
        MVStore store = storeOf(dataSource);
        if (store == null || store.getFileStore() == null) {
            return; // PostgreSQL or an in-memory database
        }
        // H2's own background writer rewrites and moves chunks when it runs (a positive WRITE_DELAY, ADR 58)
        Method own = store.getAutoCommitDelay() > 0 ? null : housekeepingOf(store.getFileStore());
        // Dead chunks may be overwritten once they are RETENTION_MS old, which is safe against a power cut only
        // because every round below makes the file durable first (H2's 45 s default assumes nobody does).
        store.setRetentionTime(RETENTION_MS);
        thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-store-housekeeping");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(() -> keep(store, own), PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    /** One round: what H2's background writer does ({@code FileStore.writeInBackground}), with a sync first. */
    static void keep(MVStore store, Method own) {
        try {
            if (store.isClosed()) {
                return;
            }
            // what the last round rewrote is written now (dead chunks are freed only by a write), then made durable
            store.tryCommit();
            store.sync();
            if (own != null) {
                own.invoke(store.getFileStore(), store);
            }
            // H2's own rounds stop rewriting once the store looks idle, and a ledger that answered a burst and then
            // waits is just that: sparse chunks are rewritten here whatever H2 decides (at most WRITE_LIMIT a round)
            if (store.getFileStore().getChunksFillRate() < FILL_RATE) {
                store.compact(FILL_RATE, WRITE_LIMIT);
            }
        } catch (Exception | AssertionError e) {
            // the next round tries again; a closing store is the usual cause
            log.debug("Housekeeping of the embedded store skipped: {}", e.toString());
        }
    }

    /** H2's own round ({@code doHousekeeping}) is not public; without it, rewriting chunks alone still bounds the file. */
    static Method housekeepingOf(FileStore<?> fileStore) {
        for (Class<?> type = fileStore.getClass(); type != null; type = type.getSuperclass()) {
            try {
                Method method = type.getDeclaredMethod("doHousekeeping", MVStore.class);
                method.setAccessible(true);
                return method;
            } catch (NoSuchMethodException | RuntimeException e) {
                // look in the superclass
            }
        }
        log.info("H2's housekeeping is not reachable; the embedded store rewrites sparse chunks only");
        return null;
    }

    /** The embedded default's store behind the pool, or null on any other database. */
    public static MVStore storeOf(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isWrapperFor(JdbcConnection.class)) {
                return null;
            }
            if (!(connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)
                    || session.getDatabase().getStore() == null) {
                return null;
            }
            return session.getDatabase().getStore().getMvStore();
        } catch (SQLException e) {
            log.warn("Could not reach the embedded store for housekeeping: {}", e.getMessage());
            return null;
        }
    }

    @Override
    public void destroy() {
        if (thread != null) {
            thread.shutdownNow();
            try {
                thread.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
