package dev.tollgate.api.budget;

import dev.tollgate.api.money.Money;
import java.util.List;

/**
 * What an account may spend on metered calls: a limit per UTC day and per UTC month ({@code null} = no limit),
 * the percentages of a limit at which an alert is raised, and whether reaching a limit refuses further calls
 * ({@code hardStop}) or only alerts.
 */
public record Budget(Money dailyLimit, Money monthlyLimit, List<Integer> thresholdsPercent, boolean hardStop) {

    /** An account that never set a budget: no limits, the usual alert points, no stop. */
    public static final Budget NONE = new Budget(null, null, List.of(50, 80, 100), false);

    public Budget {
        thresholdsPercent = thresholdsPercent == null ? List.of() : List.copyOf(thresholdsPercent);
    }

    public boolean hasLimit() {
        return dailyLimit != null || monthlyLimit != null;
    }
}
