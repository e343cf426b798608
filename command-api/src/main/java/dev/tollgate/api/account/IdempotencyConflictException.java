package dev.tollgate.api.account;

import dev.tollgate.api.LedgerRejection;

public class IdempotencyConflictException extends LedgerRejection {
    public IdempotencyConflictException(String message) {
        super("idempotency_conflict", message);
    }
}
