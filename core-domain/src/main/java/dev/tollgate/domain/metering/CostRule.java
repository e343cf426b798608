package dev.tollgate.domain.metering;

import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.money.Money;
import java.util.List;

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

    /**
     * The cost of a call priced on units: Σ quantity × price / per, over a common denominator so the sum is
     * rounded up once, not once per line.
     */
    public static Money cost(List<ChargedUnits> lines) {
        long denominator = 1;
        for (ChargedUnits line : lines) {
            denominator = lcm(denominator, line.per());
        }
        long numerator = 0;
        for (ChargedUnits line : lines) {
            long scaled = Math.multiplyExact(line.price().nanos(), denominator / line.per());
            numerator = Math.addExact(numerator, Math.multiplyExact(line.quantity(), scaled));
        }
        return new Money(ceilDiv(numerator, denominator));
    }

    /** {@code quantity} of the unit at the model's price for it. Precondition: the model has that unit price. */
    public static ChargedUnits line(ModelPrice price, String unit, long quantity) {
        UnitPrice unitPrice = price.unit(unit).orElseThrow(() ->
                new IllegalArgumentException(price.model() + " has no price per " + unit));
        return new ChargedUnits(unit, quantity, unitPrice.price(), unitPrice.per());
    }

    private static long lcm(long a, long b) {
        return Math.multiplyExact(a / gcd(a, b), b);
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static long ceilDiv(long numerator, long denominator) {
        long quotient = numerator / denominator;
        return numerator % denominator == 0 ? quotient : quotient + 1;
    }
}
