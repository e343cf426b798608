package dev.tollgate.api.pricing;

import dev.tollgate.api.money.Money;

/** A list price on a unit other than tokens: {@code price} per {@code per} {@code unit}s (an image tile, a step). */
public record PricedUnit(String unit, Money price, long per) {
}
