package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Gives an in-flight transfer back to its sender because the receiver could not accept it. */
public record RefundTransfer(@TargetAggregateIdentifier AccountId from, String transferId, String reason,
                             Instant at) {
}
