package dev.tollgate.query;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

/**
 * Lets a projection collect its writes over a whole batch of events and send them in a few JDBC batches, once,
 * just before the batch's transaction commits (ADR 15). A tracking processor handles its batch in one unit of
 * work and one transaction, and stores its token in that same transaction, so the rows, the read model's
 * position and the token commit together or not at all; a failure rolls all three back and the batch is retried.
 * Called outside a unit of work (a handler invoked directly), the writes happen at once.
 */
public final class BatchedWrites {
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

    /** Which of the given keys exist in {@code column} of {@code table}, asked in one query. */
    public static Set<String> existing(JdbcTemplate jdbc, String table, String column, Collection<String> keys) {
        Set<String> found = new HashSet<>();
        forKeys(jdbc, "SELECT " + column + " FROM " + table + " WHERE " + column + " = ANY(?)", keys,
                rs -> {
                    found.add(rs.getString(1));
                });
        return found;
    }

    /**
     * Runs {@code query}, whose only parameter is the {@code ?} of {@code = ANY(?)}, with the keys bound as one array.
     * Its text is the same whatever the number of keys, so H2 and PostgreSQL parse and plan it once per connection;
     * an IN list of n marks was a new statement for every n, parsed anew in nearly every batch. Both use the
     * column's index for it, as for an IN list.
     */
    public static void forKeys(JdbcTemplate jdbc, String query, Collection<String> keys, RowCallbackHandler rows) {
        if (keys.isEmpty()) {
            return;
        }
        jdbc.query(query, statement -> statement.setArray(1,
                statement.getConnection().createArrayOf("VARCHAR", keys.toArray())), rows);
    }
}
