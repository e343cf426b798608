package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Closes an account: it accepts no new money and no holds; its booked history stays. */
public record CloseAccount(@TargetAggregateIdentifier AccountId accountId, String reason, Instant at) {
}
