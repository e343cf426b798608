package dev.tollgate.api.account;

import dev.tollgate.api.LedgerRejection;

public class InsufficientFundsException extends LedgerRejection {
    public InsufficientFundsException(String message) {
        super("insufficient_funds", message);
    }
}
