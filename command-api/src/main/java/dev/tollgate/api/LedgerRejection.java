package dev.tollgate.api;

/**
 * A command the ledger refused, with a stable machine-readable code that reaches the client unchanged.
 * A rejection never changes state: the aggregate decides before it applies any event.
 */
public abstract class LedgerRejection extends RuntimeException {
    private final String code;

    protected LedgerRejection(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
