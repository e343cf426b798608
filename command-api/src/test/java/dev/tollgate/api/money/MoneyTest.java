package dev.tollgate.api.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Money is the one place where a client's text becomes a ledger amount: these examples pin the strict reading
 * (DESIGN "Money": positive, at most 9 decimals, no exponent, no floats) and the exact arithmetic.
 */
class MoneyTest {

    @ParameterizedTest(name = "\"{0}\" is {1} nano-USD")
    @CsvSource({
            "12.5,          12500000000",
            "0.000003666,   3666",
            "0.000000001,   1",
            "1,             1000000000",
            "0.282,         282000000",
            "12.50,         12500000000",
            "1.000000000,   1000000000",
            "9223372036.854775807, 9223372036854775807"
    })
    void aPlainDecimalStringIsReadAsExactNanoDollars(String text, long nanos) {
        // given a client's amount in the documented form
        // when it is read strictly
        Money money = Money.parsePositiveUsd(text);
        // then it is exactly that many nano-dollars, with no rounding through a double
        assertThat(money.nanos()).isEqualTo(nanos);
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @NullAndEmptySource
    @ValueSource(strings = {
            "0", "0.0", "0.000000000", "-1", "-0.5", "1e3", "1E3", "0.0000000001", "abc", "NaN", "Infinity",
            "99999999999999999999", "9223372036.854775808", "9223372037", " 1", "1 ", "1.", ".5", "+1",
            "1,000", "1,5", "0x10", "١", "1١", "1.5.0", "--1", "1_000", "１", "\t1", "1.0d", "1.0f",
            "00001", "01.5", "00.5"
    })
    void anythingButAStrictPositiveDecimalStringIsRejected(String text) {
        // given a client's amount that is not a plain positive decimal of at most 9 decimals (or does not fit)
        // when it is read strictly
        // then it is refused with the stable code the HTTP layer turns into a 400, never rounded or wrapped
        assertThatThrownBy(() -> Money.parsePositiveUsd(text))
                .isInstanceOf(InvalidAmountException.class)
                .extracting(e -> ((InvalidAmountException) e).code())
                .isEqualTo("invalid_amount");
    }

    @Test
    void zeroIsAValidAmountOnlyWhereZeroIsAllowed() {
        // given zero as a limit or a price
        // when it is read with parseUsd (limits, prices) rather than parsePositiveUsd (money commands)
        // then it is accepted there and refused as a command amount
        assertThat(Money.parseUsd("0")).isEqualTo(Money.ZERO);
        assertThat(Money.parseUsd("0.000")).isEqualTo(Money.ZERO);
        assertThatThrownBy(() -> Money.parsePositiveUsd("0")).isInstanceOf(InvalidAmountException.class);
    }

    @Test
    void parseUsdIsAsStrictAsParsePositiveUsdAboutTheShape() {
        // given text that only differs from a valid amount by its shape
        // when read with the zero-allowing variant
        // then the shape rules still hold (a negative sign is not a way to book a debit)
        for (String bad : new String[] {"-1", "1e3", "0.0000000001", "+0", " 0", ".0", "0.", "00", "00.0"}) {
            assertThatThrownBy(() -> Money.parseUsd(bad)).as(bad).isInstanceOf(InvalidAmountException.class);
        }
    }

    @ParameterizedTest(name = "{0} nano-USD is \"{1}\"")
    @CsvSource({
            "0,                     0",
            "1,                     0.000000001",
            "3666,                  0.000003666",
            "12500000000,           12.5",
            "1000000000,            1",
            "282000000,             0.282",
            "100000000000,          100",
            "-1,                    -0.000000001",
            "-12500000000,          -12.5",
            "-1000000000,           -1",
            "-999999999,            -0.999999999",
            "9223372036854775807,   9223372036.854775807",
            "-9223372036854775808,  -9223372036.854775808"
    })
    void toUsdStringIsTheCanonicalDecimalWithoutTrailingZeros(long nanos, String text) {
        // given an amount, including debits and the extremes of a long
        // when it is written for the JSON API
        // then it is the shortest plain decimal: no exponent, no trailing zeros, "-" for negatives
        assertThat(Money.ofNanos(nanos).toUsdString()).isEqualTo(text);
    }

    @Test
    void toStringNamesTheCurrency() {
        assertThat(Money.ofNanos(12_500_000_000L)).hasToString("12.5 USD");
    }

    @Test
    void wholeDollarsAreExactAndOverflowIsAnError() {
        // given whole dollars
        // when converted to nano-dollars
        // then they are exact, and a number of dollars that cannot be held throws instead of wrapping
        assertThat(Money.ofUsd(12).nanos()).isEqualTo(12_000_000_000L);
        assertThat(Money.ofUsd(-3).nanos()).isEqualTo(-3_000_000_000L);
        assertThatThrownBy(() -> Money.ofUsd(9_223_372_037L)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void arithmeticIsExact() {
        Money a = Money.ofNanos(1_500_000_001L);
        Money b = Money.ofNanos(499_999_999L);
        assertThat(a.plus(b)).isEqualTo(Money.ofUsd(2));
        assertThat(a.minus(b)).isEqualTo(Money.ofNanos(1_000_000_002L));
        assertThat(b.minus(a)).isEqualTo(Money.ofNanos(-1_000_000_002L));
        assertThat(a.negate()).isEqualTo(Money.ofNanos(-1_500_000_001L));
    }

    @Test
    void plusThatOverflowsThrowsInsteadOfWrapping() {
        // given the largest amount
        Money max = Money.ofNanos(Long.MAX_VALUE);
        // when one nano-dollar more is added
        // then the ledger refuses to book a wrapped (negative) number
        assertThatThrownBy(() -> max.plus(Money.ofNanos(1))).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Money.ofNanos(Long.MIN_VALUE).plus(Money.ofNanos(-1)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void minusThatOverflowsThrowsInsteadOfWrapping() {
        assertThatThrownBy(() -> Money.ofNanos(Long.MIN_VALUE).minus(Money.ofNanos(1)))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Money.ofNanos(Long.MAX_VALUE).minus(Money.ofNanos(-1)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void negatingTheSmallestAmountThrowsBecauseItHasNoPositiveTwin() {
        assertThatThrownBy(() -> Money.ofNanos(Long.MIN_VALUE).negate()).isInstanceOf(ArithmeticException.class);
        assertThat(Money.ofNanos(Long.MAX_VALUE).negate().nanos()).isEqualTo(-Long.MAX_VALUE);
    }

    @Test
    void comparisonsFollowTheNanoCount() {
        Money one = Money.ofNanos(1);
        Money two = Money.ofNanos(2);
        assertThat(one.isLessThan(two)).isTrue();
        assertThat(two.isGreaterThan(one)).isTrue();
        assertThat(one.compareTo(two)).isNegative();
        assertThat(Money.min(one, two)).isSameAs(one);
        assertThat(Money.ZERO.isZero()).isTrue();
        assertThat(Money.ofNanos(-1).isNegative()).isTrue();
        assertThat(Money.ofNanos(1).isPositive()).isTrue();
    }
}
