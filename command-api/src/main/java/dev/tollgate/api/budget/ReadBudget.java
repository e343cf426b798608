package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Asks the account aggregate for its budget and what it has spent in the day and month that contain {@code at}.
 * Like {@code ReadAccountState} it travels on the command bus and applies no event: the answer is the state that
 * the next hold will be checked against.
 */
public record ReadBudget(@TargetAggregateIdentifier AccountId accountId, Instant at) {
}
