package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A charge took the account's spend in a period past {@code thresholdPercent} of that period's limit: what
 * notifiers act on. {@code period} is {@code daily} or {@code monthly}; {@code periodStart} names the UTC day
 * ({@code 2026-11-23}) or month ({@code 2026-11}). Raised once per threshold, period and limit, by the charge that
 * crossed it ({@code holdId}).
 */
@Revision("1")
public record BudgetThresholdCrossed(AccountId accountId, String period, String periodStart, int thresholdPercent,
                                     Money limit, Money spent, String holdId, Instant at)
        implements LedgerEvent {
    public static final String DAILY = "daily";
    public static final String MONTHLY = "monthly";
}
