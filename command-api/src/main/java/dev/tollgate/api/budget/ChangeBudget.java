package dev.tollgate.api.budget;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Changes the named parts of the account's budget and keeps the rest, decided on the account's current budget, so
 * two changes of different parts sent at once both take effect. A limit is changed when its {@code set…} flag is
 * true ({@code null} then removes it); {@code thresholdsPercent} and {@code hardStop} are changed when not
 * {@code null}. Answers the {@link BudgetStatus} it leaves.
 */
public record ChangeBudget(@TargetAggregateIdentifier AccountId accountId, boolean setDailyLimit, Money dailyLimit,
                           boolean setMonthlyLimit, Money monthlyLimit, List<Integer> thresholdsPercent,
                           Boolean hardStop, String actor, Instant at) {

    /** The budget this change makes of {@code current}. */
    public Budget applyTo(Budget current) {
        return new Budget(setDailyLimit ? dailyLimit : current.dailyLimit(),
                setMonthlyLimit ? monthlyLimit : current.monthlyLimit(),
                thresholdsPercent != null ? thresholdsPercent : current.thresholdsPercent(),
                hardStop != null ? hardStop : current.hardStop());
    }
}
