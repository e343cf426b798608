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
 * The embedded default's file kept to its live size (ADR 57). With {@code WRITE_DELAY=0} (ADR 56) every commit
 * writes its own chunk, and H2 starts no background writer, which is also what rewrites partly dead chunks and
 * moves chunks to shrink the file: without it, 20,000 calls and transfers left a file of 1.1 GB for about 100 MB
 * of data. This runs the housekeeping H2's writer would run, on a thread of its own, every {@link #PERIOD_MS} ms:
 * partly dead chunks are rewritten, and space is reused after {@link #RETENTION_MS} ms instead of H2's 45 s, which
 * is safe because each round first forces the file to the disk. Only the store's own lock is taken, for as long as
 * H2 itself would take it.
 */
@Component
public class EmbeddedStoreHousekeeping implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedStoreHousekeeping.class);
    public static final long PERIOD_MS = 500;
    public static final int RETENTION_MS = 2_000;
    /** H2's own target when it is not idle (90% squared), for the public fallback below. */
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
        if (store == null || store.getAutoCommitDelay() > 0 || store.getFileStore() == null) {
            return; // PostgreSQL, an in-memory database, or H2's own writer is already doing this
        }
        Method own = housekeepingOf(store.getFileStore());
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
            } else if (store.getFileStore().getChunksFillRate() < FILL_RATE) {
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
