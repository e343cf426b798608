package dev.tollgate.api.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Positive;

/**
 * Money's text form and arithmetic over the whole range of a long, not just the examples in {@link MoneyTest}:
 * the JSON API and the ledger must agree on every amount to the nano-dollar.
 */
class MoneyProperties {

    @Property
    void everyNonNegativeAmountSurvivesFormatThenParse(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long nanos) {
        // given any amount the ledger can hold
        Money money = Money.ofNanos(nanos);
        // when it is written for a client and read back from one
        Money back = Money.parseUsd(money.toUsdString());
        // then nothing was lost or rounded
        assertThat(back).isEqualTo(money);
    }

    @Property
    void everyPositiveAmountIsAcceptedAsACommandAmount(@ForAll @Positive long nanos) {
        assertThat(Money.parsePositiveUsd(Money.ofNanos(nanos).toUsdString()).nanos()).isEqualTo(nanos);
    }

    @Property
    void formatIsAPlainDecimalWithoutExponentOrTrailingZeros(@ForAll long nanos) {
        // when any amount, debits included, is written
        String text = Money.ofNanos(nanos).toUsdString();
        // then it is "-"? digits ("." digits without a trailing zero)?, at most 9 decimals
        assertThat(text).matches("-?(0|[1-9][0-9]*)(\\.[0-9]{0,8}[1-9])?");
        assertThat(text).doesNotContainIgnoringCase("e");
        // and it means exactly the same number (BigDecimal is only the referee here, never the ledger)
        assertThat(new BigDecimal(text).movePointRight(9).longValueExact()).isEqualTo(nanos);
    }

    @Property
    void plusIsExactOrThrowsExactlyWhenAddExactDoes(@ForAll long a, @ForAll long b) {
        // given two amounts anywhere in the range
        long expected;
        try {
            expected = Math.addExact(a, b);
        } catch (ArithmeticException overflow) {
            // then an overflowing sum is refused, never wrapped
            assertThatThrownBy(() -> Money.ofNanos(a).plus(Money.ofNanos(b)))
                    .isInstanceOf(ArithmeticException.class);
            return;
        }
        // otherwise the sum is exact
        assertThat(Money.ofNanos(a).plus(Money.ofNanos(b)).nanos()).isEqualTo(expected);
    }

    @Property
    void minusIsExactOrThrowsExactlyWhenSubtractExactDoes(@ForAll long a, @ForAll long b) {
        long expected;
        try {
            expected = Math.subtractExact(a, b);
        } catch (ArithmeticException overflow) {
            assertThatThrownBy(() -> Money.ofNanos(a).minus(Money.ofNanos(b)))
                    .isInstanceOf(ArithmeticException.class);
            return;
        }
        assertThat(Money.ofNanos(a).minus(Money.ofNanos(b)).nanos()).isEqualTo(expected);
    }

    @Property
    void extremesAreWhereOverflowHappens(@ForAll @Positive long positive) {
        // given the edges of the range, where wrapping would silently flip a sign
        // then stepping beyond them in either direction is refused
        assertThatThrownBy(() -> Money.ofNanos(Long.MAX_VALUE).plus(Money.ofNanos(positive)))
                .isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> Money.ofNanos(Long.MIN_VALUE).minus(Money.ofNanos(positive)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Property
    void moreThanNineDecimalsIsAlwaysRejected(@ForAll("tooPrecise") String text) {
        // given a decimal with 10 or more fraction digits (even if they are zeros: the client meant a finer unit)
        // then it is refused rather than rounded to the nano-dollar
        assertThatThrownBy(() -> Money.parseUsd(text)).isInstanceOf(InvalidAmountException.class);
        assertThatThrownBy(() -> Money.parsePositiveUsd(text)).isInstanceOf(InvalidAmountException.class);
    }

    @Property
    void stringsThatAreNotPlainDecimalsAreRejected(@ForAll("notPlainDecimals") String text) {
        // given text that is not digits with at most one inner dot
        // then it is an invalid amount, never a NumberFormatException or a silently parsed number
        assertThatThrownBy(() -> Money.parseUsd(text)).isInstanceOf(InvalidAmountException.class);
    }

    @Property
    void anyAcceptedTextMeansWhatItSays(@ForAll("plainDecimals") String text) {
        // given any plain decimal of at most 9 decimals
        BigDecimal meant = new BigDecimal(text).movePointRight(9);
        if (meant.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            // then one that is too large is refused
            assertThatThrownBy(() -> Money.parseUsd(text)).isInstanceOf(InvalidAmountException.class);
        } else {
            // and one that fits is exactly the number written
            assertThat(Money.parseUsd(text).nanos()).isEqualTo(meant.longValueExact());
        }
    }

    @Property
    void anyTextWithAZeroBeforeItsUnitsIsRefused(@ForAll("plainDecimals") String text) {
        // given a plain decimal written with a zero in front ("012.5", "00.5")
        // then it is an invalid amount, as the same digits would be an invalid JSON number
        assertThatThrownBy(() -> Money.parseUsd("0" + text)).isInstanceOf(InvalidAmountException.class);
    }

    @Provide
    Arbitrary<String> tooPrecise() {
        Arbitrary<String> whole = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(10).ofMaxLength(30);
        return Combinators.combine(whole, fraction).as((w, f) -> w + "." + f);
    }

    @Provide
    Arbitrary<String> plainDecimals() {
        // Written as a JSON number is: no zero before the units ("0.5", "10", never "010")
        Arbitrary<String> whole = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(20)
                .map(w -> w.replaceFirst("^0+(?=.)", ""));
        Arbitrary<String> fraction = Arbitraries.strings().numeric().ofMinLength(0).ofMaxLength(9);
        return Combinators.combine(whole, fraction).as((w, f) -> f.isEmpty() ? w : w + "." + f);
    }

    @Provide
    Arbitrary<String> notPlainDecimals() {
        // Any printable or exotic text that has at least one character outside [0-9.], or a dot in a bad place.
        Arbitrary<String> withForeignChar = Arbitraries.strings()
                .all()
                .ofMinLength(1)
                .ofMaxLength(25)
                .filter(s -> !s.matches("[0-9.]*"));
        Arbitrary<String> numericLooking = Arbitraries.of(
                "1e3", "1E-3", "-1", "+1", " 1", "1 ", "1.", ".5", "1..5", "1.2.3", "NaN", "Infinity", "-0",
                "0x1F", "1,000", "1_000", "١٢", "１２", "٫5", "1٫5", "", ".", "..", "1/2", "½", "¹");
        Arbitrary<String> dotsOnly = Arbitraries.strings().withChars('.', '0', '1').ofMinLength(1).ofMaxLength(8)
                .filter(s -> !s.matches("[0-9]+(\\.[0-9]+)?"));
        return Arbitraries.oneOf(withForeignChar, numericLooking, dotsOnly);
    }
}
