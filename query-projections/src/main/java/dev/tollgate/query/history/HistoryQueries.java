package dev.tollgate.query.history;

import dev.tollgate.api.money.Money;
import dev.tollgate.query.Positions;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Reads an account's history, newest first, a page at a time. */
@Component
public class HistoryQueries {
    private static final RowMapper<HistoryEntry> ROW = (rs, i) -> new HistoryEntry(rs.getString("id"),
            rs.getString("account_id"), rs.getLong("seq"), rs.getString("type"), new Money(rs.getLong("amount_nanos")),
            new Money(rs.getLong("balance_after_nanos")), rs.getTimestamp("at").toInstant(),
            rs.getString("counterparty"), rs.getString("model"), rs.getString("request_id"),
            rs.getString("description"));

    private final JdbcTemplate jdbc;

    public HistoryQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Up to {@code limit} entries older than {@code beforeSeq} (or the newest, when null). Paging by the stream's
     * sequence never skips or repeats an entry, however many new ones arrive between pages.
     */
    public List<HistoryEntry> page(String accountId, Long beforeSeq, int limit) {
        if (beforeSeq == null) {
            return jdbc.query("SELECT * FROM ledger_entry WHERE account_id = ? ORDER BY seq DESC LIMIT ?", ROW,
                    accountId, limit);
        }
        return jdbc.query("SELECT * FROM ledger_entry WHERE account_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                ROW, accountId, beforeSeq, limit);
    }

    /** The highest stream sequence recorded for the account, or -1: how far this read model has caught up. */
    public long recordedUpTo(String accountId) {
        return new Positions(jdbc, "history_position").recordedUpTo(accountId);
    }

    public List<HistoryEntry> all(String accountId) {
        return jdbc.query("SELECT * FROM ledger_entry WHERE account_id = ? ORDER BY seq", ROW, accountId);
    }
}
