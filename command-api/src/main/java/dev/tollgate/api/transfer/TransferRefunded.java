package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record TransferRefunded(AccountId from, String transferId, AccountId to, Money amount, Money balanceAfter,
                               String reason, Instant at) implements LedgerEvent {
    @Override
    public AccountId accountId() {
        return from;
    }
}
