package dev.tollgate.api.account;

/** The deadline of one hold: when it fires and the hold is still open, the hold expires. */
public record HoldDeadline(String holdId) {
    public static final String NAME = "hold-expiry";
}
