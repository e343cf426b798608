package dev.tollgate.query.history;

import dev.tollgate.api.money.Money;
import java.time.Instant;

/** One ledger entry of an account: a signed amount and the balance it left. */
public record HistoryEntry(String id, String accountId, long seq, String type, Money amount, Money balanceAfter,
                           Instant at, String counterparty, String model, String requestId, String description) {
}
