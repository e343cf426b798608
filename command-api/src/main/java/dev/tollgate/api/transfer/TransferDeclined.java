package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The receiver could not accept a transfer (closed account); the sender is refunded next. No money moved. */
@Revision("1")
public record TransferDeclined(AccountId to, String transferId, AccountId from, Money amount, String reason,
                               Instant at) implements LedgerEvent {
    @Override
    public AccountId accountId() {
        return to;
    }
}
