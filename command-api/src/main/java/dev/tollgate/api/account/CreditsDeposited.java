package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Money came in from {@code funding}; {@code balanceAfter} makes the history line stand alone. */
@Revision("1")
public record CreditsDeposited(AccountId accountId, String entryId, Money amount, Money balanceAfter, String note,
                               String actor, Intent intent, Instant at) implements LedgerEvent {
}
