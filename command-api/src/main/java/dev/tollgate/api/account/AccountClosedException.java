package dev.tollgate.api.account;

import dev.tollgate.api.LedgerRejection;

public class AccountClosedException extends LedgerRejection {
    public AccountClosedException(String message) {
        super("account_closed", message);
    }
}
