package dev.tollgate.api.account;

/** Marker of the events on an account's stream; every one is part of the permanent record. */
public interface LedgerEvent {
    AccountId accountId();

    java.time.Instant at();
}
