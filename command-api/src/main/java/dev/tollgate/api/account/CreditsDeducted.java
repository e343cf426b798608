package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** Money went out to {@code adjustments} by an admin's decision. */
@Revision("1")
public record CreditsDeducted(AccountId accountId, String entryId, Money amount, Money balanceAfter, String note,
                              String actor, Intent intent, Instant at) implements LedgerEvent {
}
