package dev.tollgate.api.pricing;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Prices a model per million input and output tokens from {@code effectiveAt} on ({@code null} = from {@code at},
 * the moment the command is accepted). Answers the {@link ModelPriceSet} it applied.
 */
public record SetModelPrice(@TargetAggregateIdentifier String priceBookId, String model, Money inputPerMillion,
                            Money outputPerMillion, Instant effectiveAt, String actor, Instant at) {
}
