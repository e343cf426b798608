package dev.tollgate.api.pricing;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** The operator's markup on every list price, in basis points (150 = 1.5 %), from {@code effectiveAt} on. */
public record SetMarkup(@TargetAggregateIdentifier String priceBookId, int basisPoints, Instant effectiveAt,
                        String actor, Instant at) {
}
