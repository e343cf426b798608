package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Asks the sending account whether a transfer it sent was refunded, so a retried transfer request can answer what
 * the first one answered. It applies no event. The answer is the refund's receipt (the balance the refund left), or
 * null when the account has no refund of that transfer in memory: not refunded, or refunded longer ago than it
 * remembers retries.
 */
public record ReadTransferRefund(@TargetAggregateIdentifier AccountId accountId, String transferId) {
}
