package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;

/**
 * What a money command answers: the ledger entry it made and the balance it left. A retried command with the
 * same idempotency key answers the first receipt again, with {@code replayed} set.
 */
public record LedgerReceipt(String entryId, Money balanceAfter, boolean replayed) {
    public LedgerReceipt asReplay() {
        return new LedgerReceipt(entryId, balanceAfter, true);
    }
}
