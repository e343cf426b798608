package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Frees a whole hold with no charge (the call failed before any output, or its deadline passed). */
public record ReleaseReservation(@TargetAggregateIdentifier AccountId accountId, String holdId, String reason,
                                 Instant at) {
}
