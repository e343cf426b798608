package dev.tollgate.api.budget;

import dev.tollgate.api.money.Money;
import java.util.List;

/**
 * An account's budget and its spend, as the aggregate holds them: charges collected in the UTC day and month of
 * the question, the money held by open holds (which a hard stop counts as spent), and the thresholds already
 * crossed in each period.
 */
public record BudgetStatus(Budget budget, Money spentToday, Money spentThisMonth, Money held,
                           List<Integer> dailyThresholdsCrossed, List<Integer> monthlyThresholdsCrossed) {
}
