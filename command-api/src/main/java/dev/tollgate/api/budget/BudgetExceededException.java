package dev.tollgate.api.budget;

import dev.tollgate.api.LedgerRejection;

/** A hold refused because, with a hard stop, it could take the spend of a day or month past its limit. */
public class BudgetExceededException extends LedgerRejection {
    public BudgetExceededException(String message) {
        super("budget_exceeded", message);
    }
}
