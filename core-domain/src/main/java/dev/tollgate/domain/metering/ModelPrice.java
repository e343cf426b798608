package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;

/** A model's price: nano-USD per million input and output tokens. */
public record ModelPrice(String model, String task, Money inputPerMillion, Money outputPerMillion) {
    public ModelPrice {
        if (inputPerMillion.isNegative() || outputPerMillion.isNegative()) {
            throw new IllegalArgumentException("prices cannot be negative");
        }
    }
}
