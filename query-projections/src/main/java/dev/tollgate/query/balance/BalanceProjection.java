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
import java.sql.Timestamp;
import java.time.Instant;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records each account's balance and held money. Every event carries the figures it leaves behind, so a row is
 * set, never incremented: applying an event twice gives the same row, which keeps replays and redeliveries safe.
 */
@Component
@ProcessingGroup(BalanceProjection.GROUP)
public class BalanceProjection {
    public static final String GROUP = "balances";

    private final JdbcTemplate jdbc;

    public BalanceProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(AccountOpened event) {
        int updated = jdbc.update("UPDATE account_balance SET open = TRUE, updated_at = ? WHERE account_id = ?",
                ts(event.at()), event.accountId().value());
        if (updated == 0) {
            jdbc.update("INSERT INTO account_balance (account_id, balance_nanos, held_nanos, open, updated_at) "
                    + "VALUES (?, 0, 0, TRUE, ?)", event.accountId().value(), ts(event.at()));
        }
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
        jdbc.update("UPDATE account_balance SET held_nanos = ?, updated_at = ? WHERE account_id = ?",
                event.heldAfter().nanos(), ts(event.at()), event.accountId().value());
    }

    @EventHandler
    void on(ReservationSettled event) {
        jdbc.update("UPDATE account_balance SET balance_nanos = ?, held_nanos = ?, updated_at = ? WHERE account_id = ?",
                event.balanceAfter().nanos(), event.heldAfter().nanos(), ts(event.at()), event.accountId().value());
    }

    @EventHandler
    void on(ReservationReleased event) {
        jdbc.update("UPDATE account_balance SET held_nanos = ?, updated_at = ? WHERE account_id = ?",
                event.heldAfter().nanos(), ts(event.at()), event.accountId().value());
    }

    @EventHandler
    void on(AccountClosed event) {
        jdbc.update("UPDATE account_balance SET open = FALSE, updated_at = ? WHERE account_id = ?",
                ts(event.at()), event.accountId().value());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM account_balance");
    }

    private void setBalance(AccountId account, Money balanceAfter, Instant at) {
        jdbc.update("UPDATE account_balance SET balance_nanos = ?, updated_at = ? WHERE account_id = ?",
                balanceAfter.nanos(), ts(at), account.value());
    }

    private static Timestamp ts(Instant at) {
        return Timestamp.from(at);
    }
}
