package dev.tollgate.query;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far a read model has recorded each account's stream, kept in a table of its own ({@code <group>_position}),
 * so that a reader can wait for its own writes before answering from the read model.
 */
public final class Positions {
    private final JdbcTemplate jdbc;
    private final String table;

    public Positions(JdbcTemplate jdbc, String table) {
        this.jdbc = jdbc;
        this.table = table;
    }

    public void advance(String accountId, long seq) {
        int updated = jdbc.update("UPDATE " + table + " SET seq = ? WHERE account_id = ? AND seq < ?", seq, accountId,
                seq);
        if (updated == 0) {
            Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM " + table + " WHERE account_id = ?",
                    Integer.class, accountId);
            if (known == null || known == 0) {
                jdbc.update("INSERT INTO " + table + " (account_id, seq) VALUES (?, ?)", accountId, seq);
            }
        }
    }

    /** The highest stream sequence recorded for the account, or -1. */
    public long recordedUpTo(String accountId) {
        List<Long> seq = jdbc.queryForList("SELECT seq FROM " + table + " WHERE account_id = ?", Long.class, accountId);
        return seq.isEmpty() ? -1 : seq.get(0);
    }

    public void clear() {
        jdbc.update("DELETE FROM " + table);
    }
}
