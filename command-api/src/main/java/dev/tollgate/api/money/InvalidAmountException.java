package dev.tollgate.api.money;

import dev.tollgate.api.LedgerRejection;

/** A client's amount that is not a strict positive USD decimal string; nothing was changed. */
public class InvalidAmountException extends LedgerRejection {
    public InvalidAmountException(String message) {
        super("invalid_amount", message);
    }
}
