package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;

/**
 * A price on something other than tokens: {@code price} nano-USD per {@code per} {@code unit}s. Cloudflare's
 * $0.0005 per audio minute is 500,000 per 60,000 {@code audio_millisecond}, so no unit price needs a fraction.
 */
public record UnitPrice(String unit, Money price, long per) {
    public static final String IMAGE_TILE = "image_tile";
    public static final String STEP = "step";
    public static final String AUDIO_MILLISECOND = "audio_millisecond";

    public UnitPrice {
        if (unit == null || unit.isBlank()) {
            throw new IllegalArgumentException("a unit price names its unit");
        }
        if (price == null || price.isNegative()) {
            throw new IllegalArgumentException("prices cannot be negative");
        }
        if (per < 1) {
            throw new IllegalArgumentException("a unit price is per one or more units");
        }
    }
}
