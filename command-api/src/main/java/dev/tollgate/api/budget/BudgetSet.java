package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerEvent;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * The account's budget from {@code at} on. It moves no money, so no read model makes a line of it; as an event of the
 * account's stream it still moves their positions (a reader waiting for the account's version must not stall).
 */
@Revision("1")
public record BudgetSet(AccountId accountId, Budget budget, String actor, Instant at) implements LedgerEvent {
}
