package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The account's budget from {@code at} on; it moves no money, so it is not a ledger line. */
@Revision("1")
public record BudgetSet(AccountId accountId, Budget budget, String actor, Instant at) {
}
