package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record OpenAccount(@TargetAggregateIdentifier AccountId accountId, Instant at) {
}
