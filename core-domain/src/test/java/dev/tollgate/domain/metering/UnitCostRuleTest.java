package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.money.Money;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Calls priced on image tiles, steps and audio time: exact integers, rounded up once. */
class UnitCostRuleTest {
    private static final PriceBook BOOK = PriceBook.cloudflareList();
    private static final ModelPrice FLUX = BOOK.priceOf("@cf/black-forest-labs/flux-1-schnell").orElseThrow();
    private static final ModelPrice WHISPER = BOOK.priceOf("@cf/openai/whisper").orElseThrow();

    @Test
    void aFluxImageCostsItsTilesAndStepsAtTheListPrice() {
        // given a 1024×1024 image (4 tiles) drawn in 4 steps
        List<ChargedUnits> lines = List.of(CostRule.line(FLUX, UnitPrice.IMAGE_TILE, 4),
                CostRule.line(FLUX, UnitPrice.STEP, 4));
        // then 4 × 52,800 + 4 × 105,600 = 633,600 nano-USD exactly
        assertThat(CostRule.cost(lines)).isEqualTo(Money.ofNanos(633_600));
    }

    @Test
    void audioIsChargedPerMillisecondOfTheMinutePriceRoundedUpOnce() {
        // given 0.0005 USD per minute = 500,000 nano-USD per 60,000 ms
        // 60 s cost exactly 500,000; 1 ms costs 8.33… → 9; 95,250 ms cost 793,750 exactly
        assertThat(CostRule.cost(List.of(CostRule.line(WHISPER, UnitPrice.AUDIO_MILLISECOND, 60_000))))
                .isEqualTo(Money.ofNanos(500_000));
        assertThat(CostRule.cost(List.of(CostRule.line(WHISPER, UnitPrice.AUDIO_MILLISECOND, 1))))
                .isEqualTo(Money.ofNanos(9));
        assertThat(CostRule.cost(List.of(CostRule.line(WHISPER, UnitPrice.AUDIO_MILLISECOND, 95_250))))
                .isEqualTo(Money.ofNanos(793_750));
    }

    @Test
    void linesWithDifferentDenominatorsAreSummedBeforeTheOneRounding() {
        // given two lines of one third of a nano-dollar each (1 per 3) and one of a half (1 per 2)
        List<ChargedUnits> lines = List.of(new ChargedUnits("a", 1, Money.ofNanos(1), 3),
                new ChargedUnits("b", 1, Money.ofNanos(1), 3), new ChargedUnits("c", 1, Money.ofNanos(1), 2));
        // then 1/3 + 1/3 + 1/2 = 7/6 → 2, where rounding each line would give 3
        assertThat(CostRule.cost(lines)).isEqualTo(Money.ofNanos(2));
    }

    @Test
    void anOverflowIsRefusedNotWrapped() {
        assertThatThrownBy(() -> CostRule.cost(List.of(CostRule.line(FLUX, UnitPrice.STEP, Long.MAX_VALUE / 2))))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void aModelWithoutThatUnitPriceIsRefused() {
        assertThatThrownBy(() -> CostRule.line(WHISPER, UnitPrice.STEP, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
