package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record TransferReceived(AccountId to, String transferId, AccountId from, Money amount, Money balanceAfter,
                               String note, Instant at) implements LedgerEvent {
    @Override
    public AccountId accountId() {
        return to;
    }
}
