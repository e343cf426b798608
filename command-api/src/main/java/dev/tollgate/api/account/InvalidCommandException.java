package dev.tollgate.api.account;

import dev.tollgate.api.LedgerRejection;

public class InvalidCommandException extends LedgerRejection {
    public InvalidCommandException(String message) {
        super("invalid_request", message);
    }
}
