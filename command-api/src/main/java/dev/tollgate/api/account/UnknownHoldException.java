package dev.tollgate.api.account;

import dev.tollgate.api.LedgerRejection;

public class UnknownHoldException extends LedgerRejection {
    public UnknownHoldException(String message) {
        super("hold_not_found", message);
    }
}
