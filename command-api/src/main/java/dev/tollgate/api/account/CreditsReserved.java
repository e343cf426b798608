package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                              Instant expiresAt, Instant at) implements LedgerEvent {
}
