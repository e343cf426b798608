package dev.tollgate.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Lets a projection collect its writes over a whole batch of events and send them in a few JDBC batches, once,
 * just before the batch's transaction commits (ADR 15). A tracking processor handles its batch in one unit of
 * work and one transaction, and stores its token in that same transaction, so the rows, the read model's
 * position and the token commit together or not at all; a failure rolls all three back and the batch is retried.
 * Called outside a unit of work (a handler invoked directly), the writes happen at once.
 */
public final class BatchedWrites {
    /** Ids per IN list: well within what H2 and PostgreSQL accept in one statement. */
    private static final int IN_CHUNK = 500;

    private BatchedWrites() {
    }

    /**
     * Applies {@code change} to this batch's pending writes of {@code key}, made by {@code create} on the first
     * event of the batch; {@code flush} writes them before the batch commits.
     */
    public static <P> void record(String key, Supplier<P> create, Consumer<P> change, Consumer<P> flush) {
        if (!CurrentUnitOfWork.isStarted()) {
            P pending = create.get();
            change.accept(pending);
            flush.accept(pending);
            return;
        }
        UnitOfWork<?> batch = CurrentUnitOfWork.get().root();
        P pending = batch.getOrComputeResource(key, k -> {
            P created = create.get();
            batch.onPrepareCommit(u -> flush.accept(created));
            return created;
        });
        change.accept(pending);
    }

    /**
     * Empties a read model's table for a replay. On PostgreSQL a TRUNCATE: a DELETE leaves every old row behind as a
     * dead tuple for the rebuild to write around and for autovacuum to sweep while the rebuild runs (ADR 22). It
     * is transactional there, so it commits with the reset token or not at all. H2's TRUNCATE would commit the
     * open transaction on its own, so H2 deletes.
     */
    public static void clear(JdbcTemplate jdbc, String table) {
        jdbc.update((postgres(jdbc) ? "TRUNCATE TABLE " : "DELETE FROM ") + table);
    }

    /** Whether the read models live in PostgreSQL (else in the embedded H2). */
    public static boolean postgres(JdbcTemplate jdbc) {
        Boolean postgres = jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Boolean>) connection ->
                connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT)
                        .contains("postgres"));
        return Boolean.TRUE.equals(postgres);
    }

    /** Which of the given keys exist in {@code column} of {@code table}, asked a few hundred at a time. */
    public static Set<String> existing(JdbcTemplate jdbc, String table, String column, Collection<String> keys) {
        Set<String> found = new HashSet<>();
        inChunks(keys, (marks, chunk) -> found.addAll(jdbc.queryForList("SELECT " + column + " FROM " + table
                + " WHERE " + column + " IN (" + marks + ")", String.class, chunk.toArray())));
        return found;
    }

    /**
     * Runs {@code query} once for every few hundred of the keys, with the chunk and its {@code ?,?,…} list: an IN
     * list well within what H2 and PostgreSQL accept in one statement.
     */
    public static void inChunks(Collection<String> keys, BiConsumer<String, List<String>> query) {
        List<String> all = new ArrayList<>(keys);
        for (int from = 0; from < all.size(); from += IN_CHUNK) {
            List<String> chunk = all.subList(from, Math.min(all.size(), from + IN_CHUNK));
            query.accept(String.join(",", java.util.Collections.nCopies(chunk.size(), "?")), chunk);
        }
    }
}
