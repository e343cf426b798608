package dev.tollgate.api.money;

import java.beans.Transient;

/**
 * An amount of USD as a whole number of nano-dollars (1 USD = 1,000,000,000 nano-USD).
 * <p>
 * Arithmetic is exact: an overflow throws {@link ArithmeticException} and never wraps, so a command whose
 * amounts would overflow is rejected instead of booking a wrong number. Negative amounts exist (a debit on a
 * history line); commands that take an amount from a client require {@link #isPositive()}.
 * <p>
 * The {@code is...} tests are marked {@link Transient}: they are derived from {@code nanos}, so a serializer that
 * follows bean conventions (Jackson does) must not write them into events, which are stored forever and must read
 * back with a plain mapper.
 */
public record Money(long nanos) implements Comparable<Money> {

    public static final long NANOS_PER_USD = 1_000_000_000L;
    public static final Money ZERO = new Money(0);
    private static final int MAX_DECIMALS = 9;

    public static Money ofNanos(long nanos) {
        return new Money(nanos);
    }

    /** Whole dollars; throws {@link ArithmeticException} when the amount does not fit. */
    public static Money ofUsd(long dollars) {
        return new Money(Math.multiplyExact(dollars, NANOS_PER_USD));
    }

    /**
     * Reads a client's amount strictly: a plain decimal string, positive, at most 9 decimals, no sign, no
     * exponent, no spaces, no thousands separators, no leading zero before the units (as in a JSON number). Anything
     * else is an {@link InvalidAmountException}.
     */
    public static Money parsePositiveUsd(String text) {
        Money money = parseUsd(text);
        if (!money.isPositive()) {
            throw new InvalidAmountException("amount must be greater than zero");
        }
        return money;
    }

    /** Like {@link #parsePositiveUsd(String)} but zero is allowed (limits, prices). */
    public static Money parseUsd(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidAmountException("amount is required, as a decimal string in USD such as \"12.50\"");
        }
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        if (whole.isEmpty() || !allDigits(whole) || (dot >= 0 && (fraction.isEmpty() || !allDigits(fraction)))) {
            throw new InvalidAmountException(
                    "amount must be a plain positive decimal string in USD such as \"12.50\"");
        }
        if (whole.length() > 1 && whole.charAt(0) == '0') {
            throw new InvalidAmountException("amount must not start with a zero: write \"1\" or \"0.50\", not \"01\"");
        }
        if (fraction.length() > MAX_DECIMALS) {
            throw new InvalidAmountException("amount has more than 9 decimals (the smallest unit is one nano-dollar)");
        }
        try {
            long dollars = Long.parseLong(whole);
            long nanosOfFraction = fraction.isEmpty()
                    ? 0
                    : Long.parseLong(fraction) * pow10(MAX_DECIMALS - fraction.length());
            return new Money(Math.addExact(Math.multiplyExact(dollars, NANOS_PER_USD), nanosOfFraction));
        } catch (NumberFormatException | ArithmeticException tooLarge) {
            throw new InvalidAmountException("amount is too large");
        }
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static long pow10(int exponent) {
        long result = 1;
        for (int i = 0; i < exponent; i++) {
            result *= 10;
        }
        return result;
    }

    public Money plus(Money other) {
        return new Money(Math.addExact(nanos, other.nanos));
    }

    public Money minus(Money other) {
        return new Money(Math.subtractExact(nanos, other.nanos));
    }

    public Money negate() {
        return new Money(Math.negateExact(nanos));
    }

    @Transient
    public boolean isPositive() {
        return nanos > 0;
    }

    @Transient
    public boolean isNegative() {
        return nanos < 0;
    }

    @Transient
    public boolean isZero() {
        return nanos == 0;
    }

    public boolean isLessThan(Money other) {
        return nanos < other.nanos;
    }

    public boolean isGreaterThan(Money other) {
        return nanos > other.nanos;
    }

    public static Money min(Money a, Money b) {
        return a.nanos <= b.nanos ? a : b;
    }

    @Override
    public int compareTo(Money other) {
        return Long.compare(nanos, other.nanos);
    }

    /** The canonical decimal string in USD: no trailing zeros, at most 9 decimals, "-" for negatives. */
    public String toUsdString() {
        // Divide before taking the absolute value: Long.MIN_VALUE has no positive twin.
        long whole = Math.abs(nanos / NANOS_PER_USD);
        long fraction = Math.abs(nanos % NANOS_PER_USD);
        StringBuilder out = new StringBuilder();
        if (nanos < 0) {
            out.append('-');
        }
        out.append(whole);
        if (fraction != 0) {
            // nine digits with leading zeros, trailing zeros dropped; by hand, as String.format was nearly all of this
            // method's cost on every answer
            String digits = Long.toString(fraction);
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            out.append('.');
            for (int pad = digits.length(); pad < 9; pad++) {
                out.append('0');
            }
            out.append(digits, 0, end);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toUsdString() + " USD";
    }
}
