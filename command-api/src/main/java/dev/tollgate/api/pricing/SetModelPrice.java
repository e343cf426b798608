package dev.tollgate.api.pricing;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import java.util.List;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Prices a model per million input and output tokens and, for a model priced on other units, per unit
 * ({@code units}, all of them; empty for a token-priced model), from {@code effectiveAt} on ({@code null} = from
 * {@code at}, the moment the command is accepted). Answers the {@link ModelPriceSet} it applied.
 */
public record SetModelPrice(@TargetAggregateIdentifier String priceBookId, String model, Money inputPerMillion,
                            Money outputPerMillion, Instant effectiveAt, String actor, Instant at,
                            List<PricedUnit> units) {

    public SetModelPrice(String priceBookId, String model, Money inputPerMillion, Money outputPerMillion,
                         Instant effectiveAt, String actor, Instant at) {
        this(priceBookId, model, inputPerMillion, outputPerMillion, effectiveAt, actor, at, List.of());
    }
}
