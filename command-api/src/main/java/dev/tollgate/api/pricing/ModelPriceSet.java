package dev.tollgate.api.pricing;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import java.util.List;
import org.axonframework.serialization.Revision;

/**
 * From {@code effectiveAt} on, holds for {@code model} are priced at these list prices per million tokens (before
 * the markup), and, for a model priced on other units, at these unit prices ({@code units}: all of the model's
 * units; empty: the catalogue's). {@code effectiveAt} is never before {@code at}: a price change never re-prices
 * what already ran. Revision 2 added {@code units}; revision-1 events (token prices only) are read through
 * {@code ModelPriceSetUpcaster} with none.
 */
@Revision("2")
public record ModelPriceSet(String model, Money inputPerMillion, Money outputPerMillion, Instant effectiveAt,
                            String actor, Instant at, List<PricedUnit> units) {

    public ModelPriceSet {
        units = units == null ? List.of() : List.copyOf(units);
    }

    public ModelPriceSet(String model, Money inputPerMillion, Money outputPerMillion, Instant effectiveAt,
                         String actor, Instant at) {
        this(model, inputPerMillion, outputPerMillion, effectiveAt, actor, at, List.of());
    }
}
