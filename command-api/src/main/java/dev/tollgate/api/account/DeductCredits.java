package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** An admin moves money from a user's account to {@code adjustments}; never below the available balance. */
public record DeductCredits(@TargetAggregateIdentifier AccountId accountId, String entryId, Money amount,
                            String note, String actor, Intent intent, Instant at) {
}
