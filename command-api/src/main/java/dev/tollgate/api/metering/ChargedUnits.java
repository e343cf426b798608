package dev.tollgate.api.metering;

import dev.tollgate.api.money.Money;

/**
 * A quantity other than tokens that a charge was priced on, with the price used: {@code quantity} {@code unit}s
 * at {@code price} nano-USD per {@code per} of them. Examples: 4 {@code image_tile} at 52,800 per 1; 95,250
 * {@code audio_millisecond} at 500,000 per 60,000 (Cloudflare's $0.0005 per audio minute).
 */
public record ChargedUnits(String unit, long quantity, Money price, long per) {
    public ChargedUnits {
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("charged units name their unit");
        }
        if (quantity < 0) {
            throw new IllegalArgumentException("a quantity cannot be negative");
        }
        if (price == null || price.isNegative()) {
            throw new IllegalArgumentException("a unit price cannot be negative");
        }
        if (per < 1) {
            throw new IllegalArgumentException("a unit price is per one or more units");
        }
    }
}
