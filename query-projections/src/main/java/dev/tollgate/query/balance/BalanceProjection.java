package dev.tollgate.query.balance;

import dev.tollgate.api.account.AccountClosed;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.axonframework.config.ProcessingGroup;
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

    public BalanceProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(AccountOpened event) {
        change(event.accountId(), event.at(), c -> {
            c.opened = true;
            c.open = Boolean.TRUE;
        });
    }

    @EventHandler
    void on(CreditsDeposited event) {
        setBalance(event.accountId(), event.balanceAfter(), event.at());
    }

    @EventHandler
    void on(CreditsDeducted event) {
        setBalance(event.accountId(), event.balanceAfter(), event.at());
    }

    @EventHandler
    void on(TransferSent event) {
        setBalance(event.from(), event.balanceAfter(), event.at());
    }

    @EventHandler
    void on(TransferReceived event) {
        setBalance(event.to(), event.balanceAfter(), event.at());
    }

    @EventHandler
    void on(TransferRefunded event) {
        setBalance(event.from(), event.balanceAfter(), event.at());
    }

    @EventHandler
    void on(CreditsReserved event) {
        change(event.accountId(), event.at(), c -> c.held = event.heldAfter().nanos());
    }

    @EventHandler
    void on(ReservationSettled event) {
        change(event.accountId(), event.at(), c -> {
            c.balance = event.balanceAfter().nanos();
            c.held = event.heldAfter().nanos();
        });
    }

    @EventHandler
    void on(ReservationReleased event) {
        change(event.accountId(), event.at(), c -> c.held = event.heldAfter().nanos());
    }

    @EventHandler
    void on(AccountClosed event) {
        change(event.accountId(), event.at(), c -> c.open = Boolean.FALSE);
    }

    @ResetHandler
    void reset() {
        BatchedWrites.clear(jdbc, "account_balance");
    }

    private void setBalance(AccountId account, Money balanceAfter, Instant at) {
        change(account, at, c -> c.balance = balanceAfter.nanos());
    }

    /** What a batch of events leaves in one account's row: only the last figure of each column counts. */
    private static final class Change {
        boolean opened;
        Long balance;
        Long held;
        Boolean open;
        Timestamp at;
    }

    private void change(AccountId account, Instant at, Consumer<Change> change) {
        BatchedWrites.record(PENDING, LinkedHashMap<String, Change>::new, pending -> {
            Change c = pending.computeIfAbsent(account.value(), k -> new Change());
            change.accept(c);
            c.at = Timestamp.from(at);
        }, this::flush);
    }

    private void flush(Map<String, Change> pending) {
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

    private static void setOrNull(PreparedStatement ps, int index, Object value, int type) throws SQLException {
        if (value == null) {
            ps.setNull(index, type);
        } else {
            ps.setObject(index, value, type);
        }
    }
}
