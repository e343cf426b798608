package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** An admin moves money from {@code funding} into a user's account. */
public record DepositCredits(@TargetAggregateIdentifier AccountId accountId, String entryId, Money amount,
                             String note, String actor, Intent intent, Instant at) {
}
