package dev.tollgate.query;

import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far a read model has recorded each account's stream, kept in a table of its own ({@code <group>_position}),
 * so that a reader can wait for its own writes before answering from the read model. Positions only move forward.
 */
public final class Positions {
    private final JdbcTemplate jdbc;
    private final String table;
    /** Whether the table is in PostgreSQL, asked once: a batch's moves are then one statement (ADR 48). */
    private Boolean postgres;

    public Positions(JdbcTemplate jdbc, String table) {
        this.jdbc = jdbc;
        this.table = table;
    }

    /** The positions reached within one batch of events: the highest sequence per account. */
    public static final class Reached {
        private final Map<String, Long> seq = new LinkedHashMap<>();

        public void advance(String accountId, long sequence) {
            seq.merge(accountId, sequence, Math::max);
        }

        public Set<String> accounts() {
            return seq.keySet();
        }
    }

    public void advance(String accountId, long seq) {
        Reached reached = new Reached();
        reached.advance(accountId, seq);
        record(reached);
    }

    /** Records a batch's positions in one JDBC batch, plus one for accounts this table has not seen yet. */
    public void record(Reached reached) {
        if (reached.seq.isEmpty()) {
            return;
        }
        List<String> accounts = new ArrayList<>(reached.seq.keySet());
        List<Object[]> updates = new ArrayList<>(accounts.size());
        for (String account : accounts) {
            long seq = reached.seq.get(account);
            updates.add(new Object[] {seq, account, seq});
        }
        int[] updated = jdbc.batchUpdate("UPDATE " + table + " SET seq = ? WHERE account_id = ? AND seq < ?", updates);
        List<String> unmoved = new ArrayList<>();
        for (int i = 0; i < accounts.size(); i++) {
            // 0: unknown account or already further; a driver may also answer "done, count unknown" (negative).
            if (updated[i] <= 0) {
                unmoved.add(accounts.get(i));
            }
        }
        if (unmoved.isEmpty()) {
            return;
        }
        Set<String> known = BatchedWrites.existing(jdbc, table, "account_id", unmoved);
        List<Object[]> inserts = new ArrayList<>();
        for (String account : unmoved) {
            if (!known.contains(account)) {
                inserts.add(new Object[] {account, reached.seq.get(account)});
            }
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO " + table + " (account_id, seq) VALUES (?, ?)", inserts);
        }
    }

    /** The recorded sequence of each of the given accounts that this table knows, asked in one query. */
    public Map<String, Long> recorded(Collection<String> accounts) {
        Map<String, Long> found = new HashMap<>();
        BatchedWrites.forKeys(jdbc, "SELECT account_id, seq FROM " + table + " WHERE account_id = ANY(?)", accounts,
                rs -> {
                    found.put(rs.getString(1), rs.getLong(2));
                });
        return found;
    }

    /**
     * Records a batch's positions when the caller has just read what is {@code recorded} for all of the batch's
     * accounts (with {@link #recorded}): an update for each account that moved, an insert for each new one.
     */
    public void record(Reached reached, Map<String, Long> recorded) {
        List<Object[]> updates = new ArrayList<>();
        List<Object[]> inserts = new ArrayList<>();
        reached.seq.forEach((account, seq) -> {
            Long known = recorded.get(account);
            if (known == null) {
                inserts.add(new Object[] {account, seq});
            } else if (seq > known) {
                updates.add(new Object[] {seq, account, seq});
            }
        });
        if (!updates.isEmpty()) {
            move(updates);
        }
        if (!inserts.isEmpty()) {
            jdbc.batchUpdate("INSERT INTO " + table + " (account_id, seq) VALUES (?, ?)", inserts);
        }
    }

    /** Moves each {seq, account, seq} forward: on PostgreSQL in one statement, the values passed as arrays. */
    private void move(List<Object[]> updates) {
        if (postgres == null) {
            postgres = BatchedWrites.postgres(jdbc);
        }
        if (!postgres) {
            jdbc.batchUpdate("UPDATE " + table + " SET seq = ? WHERE account_id = ? AND seq < ?", updates);
            return;
        }
        String[] accounts = new String[updates.size()];
        Long[] seqs = new Long[updates.size()];
        for (int i = 0; i < updates.size(); i++) {
            seqs[i] = (Long) updates.get(i)[0];
            accounts[i] = (String) updates.get(i)[1];
        }
        jdbc.update(connection -> {
            PreparedStatement ps = connection.prepareStatement("UPDATE " + table + " p SET seq = v.seq "
                    + "FROM unnest(?::varchar[], ?::int8[]) AS v(account_id, seq) "
                    + "WHERE p.account_id = v.account_id AND p.seq < v.seq");
            ps.setArray(1, connection.createArrayOf("varchar", accounts));
            ps.setArray(2, connection.createArrayOf("int8", seqs));
            return ps;
        });
    }

    /** The highest stream sequence recorded for the account, or -1. */
    public long recordedUpTo(String accountId) {
        List<Long> seq = jdbc.queryForList("SELECT seq FROM " + table + " WHERE account_id = ?", Long.class, accountId);
        return seq.isEmpty() ? -1 : seq.get(0);
    }

    public void clear() {
        BatchedWrites.clear(jdbc, table);
    }
}
