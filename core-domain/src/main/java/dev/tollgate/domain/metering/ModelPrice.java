package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;
import java.util.List;
import java.util.Optional;

/**
 * A model's price: nano-USD per million input and output tokens, and, for models billed on other quantities
 * (image tiles and steps, audio time), their unit prices.
 */
public record ModelPrice(String model, String task, Money inputPerMillion, Money outputPerMillion,
                         List<UnitPrice> units) {

    /** A model priced on tokens alone. */
    public ModelPrice(String model, String task, Money inputPerMillion, Money outputPerMillion) {
        this(model, task, inputPerMillion, outputPerMillion, List.of());
    }

    public ModelPrice {
        if (inputPerMillion.isNegative() || outputPerMillion.isNegative()) {
            throw new IllegalArgumentException("prices cannot be negative");
        }
        units = units == null ? List.of() : List.copyOf(units);
    }

    public Optional<UnitPrice> unit(String name) {
        return units.stream().filter(u -> u.unit().equals(name)).findFirst();
    }
}
