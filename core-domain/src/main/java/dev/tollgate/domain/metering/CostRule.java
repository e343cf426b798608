package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;

/**
 * The one way a call's cost is computed: (input × input price + output × output price) / 1,000,000, in integers,
 * rounded up to the next nano-dollar. Overflow is an {@link ArithmeticException}, never a wrap.
 */
public final class CostRule {
    private static final long PER_MILLION = 1_000_000L;

    private CostRule() {
    }

    public static Money cost(long inputTokens, long outputTokens, ModelPrice price) {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
        long numerator = Math.addExact(Math.multiplyExact(inputTokens, price.inputPerMillion().nanos()),
                Math.multiplyExact(outputTokens, price.outputPerMillion().nanos()));
        return new Money(ceilDiv(numerator, PER_MILLION));
    }

    private static long ceilDiv(long numerator, long denominator) {
        long quotient = numerator / denominator;
        return numerator % denominator == 0 ? quotient : quotient + 1;
    }
}
