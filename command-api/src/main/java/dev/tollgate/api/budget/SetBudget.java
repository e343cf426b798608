package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Replaces the account's budget; answers with the {@link BudgetStatus} it leaves. {@code actor} is who set it. */
public record SetBudget(@TargetAggregateIdentifier AccountId accountId, Budget budget, String actor, Instant at) {
}
