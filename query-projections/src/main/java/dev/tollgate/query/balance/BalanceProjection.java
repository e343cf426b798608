package dev.tollgate.query.balance;

import dev.tollgate.api.account.AccountClosed;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import dev.tollgate.query.BatchedWrites;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records each account's balance and held money. Every event carries the figures it leaves behind, so a row is
 * set, never incremented: applying an event twice gives the same row, which keeps replays and redeliveries safe.
 * A batch of events becomes one write per account, the account's last figures (ADR 15).
 */
@Component
@ProcessingGroup(BalanceProjection.GROUP)
public class BalanceProjection {
    public static final String GROUP = "balances";
    private static final String PENDING = GROUP + ".pending";

    private final JdbcTemplate jdbc;
    /** Whether the rows are in PostgreSQL, asked once: a batch's updates are then one statement (ADR 48). */
    private Boolean postgres;

    public BalanceProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Every event that leaves a figure in an account's row. Only the last figure of each column in a batch counts, so
     * the handler remembers the last event of each kind per account and reads just those payloads when the batch is
     * written: a replay, whose batches hold many events per account, reads a fraction of them (ADR 22).
     */
    @EventHandler(payloadType = LedgerEvent.class)
    void on(DomainEventMessage<?> event) {
        Class<?> type = event.getPayloadType();
        boolean balance = SETS_BALANCE.contains(type);
        boolean held = SETS_HELD.contains(type);
        boolean opened = type == AccountOpened.class;
        boolean closed = type == AccountClosed.class;
        if (!balance && !held && !opened && !closed) {
            return; // a declined transfer, say: no figure of the row changes
        }
        BatchedWrites.record(PENDING, LinkedHashMap<String, Latest>::new, pending -> {
            Latest latest = pending.computeIfAbsent(event.getAggregateIdentifier(), k -> new Latest());
            latest.last = event;
            if (balance) {
                latest.balance = event;
            }
            if (held) {
                latest.held = event;
            }
            if (opened) {
                latest.opened = true;
                latest.open = Boolean.TRUE;
            }
            if (closed) {
                latest.open = Boolean.FALSE;
            }
        }, this::flush);
    }

    private static final Set<Class<?>> SETS_BALANCE = Set.of(CreditsDeposited.class, CreditsDeducted.class,
            TransferSent.class, TransferReceived.class, TransferRefunded.class, ReservationSettled.class);
    private static final Set<Class<?>> SETS_HELD = Set.of(CreditsReserved.class, ReservationSettled.class,
            ReservationReleased.class);

    @ResetHandler
    void reset() {
        BatchedWrites.clear(jdbc, "account_balance");
    }

    /** The last events of a batch that set each figure of one account's row. */
    private static final class Latest {
        boolean opened;
        Boolean open;
        DomainEventMessage<?> balance;
        DomainEventMessage<?> held;
        DomainEventMessage<?> last;

        Change change() {
            Change c = new Change();
            c.opened = opened;
            c.open = open;
            c.balance = balance == null ? null : balanceAfter(balance.getPayload()).nanos();
            c.held = held == null ? null : heldAfter(held.getPayload()).nanos();
            c.at = Timestamp.from(((LedgerEvent) last.getPayload()).at());
            return c;
        }
    }

    private static Money balanceAfter(Object event) {
        if (event instanceof CreditsDeposited e) {
            return e.balanceAfter();
        } else if (event instanceof CreditsDeducted e) {
            return e.balanceAfter();
        } else if (event instanceof TransferSent e) {
            return e.balanceAfter();
        } else if (event instanceof TransferReceived e) {
            return e.balanceAfter();
        } else if (event instanceof TransferRefunded e) {
            return e.balanceAfter();
        } else if (event instanceof ReservationSettled e) {
            return e.balanceAfter();
        }
        throw new IllegalArgumentException("sets no balance: " + event.getClass().getSimpleName());
    }

    private static Money heldAfter(Object event) {
        if (event instanceof CreditsReserved e) {
            return e.heldAfter();
        } else if (event instanceof ReservationSettled e) {
            return e.heldAfter();
        } else if (event instanceof ReservationReleased e) {
            return e.heldAfter();
        }
        throw new IllegalArgumentException("sets nothing held: " + event.getClass().getSimpleName());
    }

    /** What a batch of events leaves in one account's row: only the last figure of each column counts. */
    private static final class Change {
        boolean opened;
        Long balance;
        Long held;
        Boolean open;
        Timestamp at;
    }

    private void flush(Map<String, Latest> latest) {
        Map<String, Change> pending = new LinkedHashMap<>();
        latest.forEach((account, l) -> pending.put(account, l.change()));
        List<String> opened = pending.entrySet().stream().filter(e -> e.getValue().opened).map(Map.Entry::getKey)
                .toList();
        if (!opened.isEmpty()) {
            Set<String> known = BatchedWrites.existing(jdbc, "account_balance", "account_id", opened);
            List<Object[]> rows = opened.stream().filter(id -> !known.contains(id))
                    .map(id -> new Object[] {id, pending.get(id).at}).toList();
            if (!rows.isEmpty()) {
                jdbc.batchUpdate("INSERT INTO account_balance (account_id, balance_nanos, held_nanos, open, updated_at) "
                        + "VALUES (?, 0, 0, TRUE, ?)", rows);
            }
        }
        List<Map.Entry<String, Change>> changes = new ArrayList<>(pending.entrySet());
        if (postgres == null) {
            postgres = BatchedWrites.postgres(jdbc);
        }
        if (postgres) {
            updateAtOnce(changes);
            return;
        }
        jdbc.batchUpdate("UPDATE account_balance SET balance_nanos = COALESCE(?, balance_nanos), "
                        + "held_nanos = COALESCE(?, held_nanos), open = COALESCE(?, open), updated_at = ? "
                        + "WHERE account_id = ?",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Change c = changes.get(i).getValue();
                        setOrNull(ps, 1, c.balance, Types.BIGINT);
                        setOrNull(ps, 2, c.held, Types.BIGINT);
                        setOrNull(ps, 3, c.open, Types.BOOLEAN);
                        ps.setTimestamp(4, c.at);
                        ps.setString(5, changes.get(i).getKey());
                    }

                    @Override
                    public int getBatchSize() {
                        return changes.size();
                    }
                });
    }

    /**
     * PostgreSQL: every account's row of the batch in one statement, its values passed as arrays. A JDBC batch is
     * one round trip but still one statement to plan and run per row, and the read models ran about two such rows
     * per transfer in bench/ledger.
     */
    private void updateAtOnce(List<Map.Entry<String, Change>> changes) {
        int n = changes.size();
        String[] accounts = new String[n];
        Long[] balances = new Long[n];
        Long[] held = new Long[n];
        Boolean[] open = new Boolean[n];
        String[] at = new String[n];
        for (int i = 0; i < n; i++) {
            Change c = changes.get(i).getValue();
            accounts[i] = changes.get(i).getKey();
            balances[i] = c.balance;
            held[i] = c.held;
            open[i] = c.open;
            at[i] = c.at.toInstant().toString();
        }
        jdbc.update(connection -> {
            PreparedStatement ps = connection.prepareStatement("UPDATE account_balance b "
                    + "SET balance_nanos = COALESCE(v.balance, b.balance_nanos), held_nanos = COALESCE(v.held, "
                    + "b.held_nanos), open = COALESCE(v.open, b.open), updated_at = v.at "
                    + "FROM unnest(?::varchar[], ?::int8[], ?::int8[], ?::bool[], ?::timestamptz[]) "
                    + "AS v(account_id, balance, held, open, at) WHERE b.account_id = v.account_id");
            ps.setArray(1, connection.createArrayOf("varchar", accounts));
            ps.setArray(2, connection.createArrayOf("int8", balances));
            ps.setArray(3, connection.createArrayOf("int8", held));
            ps.setArray(4, connection.createArrayOf("bool", open));
            ps.setArray(5, connection.createArrayOf("timestamptz", at));
            return ps;
        });
    }

    private static void setOrNull(PreparedStatement ps, int index, Object value, int type) throws SQLException {
        if (value == null) {
            ps.setNull(index, type);
        } else {
            ps.setObject(index, value, type);
        }
    }
}
