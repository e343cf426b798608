package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import dev.tollgate.api.pricing.PricedUnit;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The price book's changes as a node reads them: each from its effective time, markup on top (ADR 28). */
class PriceBookChangesTest {
    static final String LLAMA = "@cf/meta/llama-3.1-8b-instruct";
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    static final Instant LATER = NOW.plusSeconds(3_600);

    private final PriceBook book = PriceBook.cloudflareList(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void withoutChangesTheCatalogueApplies() {
        assertThat(book.priceOf(LLAMA).orElseThrow().inputPerMillion()).isEqualTo(Money.parseUsd("0.282"));
    }

    @Test
    void aChangeAppliesFromItsEffectiveTimeAndNotBefore() {
        book.record(new ModelPriceSet(LLAMA, Money.parseUsd("0.3"), Money.parseUsd("0.9"), NOW, "a", NOW));
        book.record(new ModelPriceSet(LLAMA, Money.parseUsd("0.5"), Money.parseUsd("1.5"), LATER, "a", NOW));

        assertThat(book.priceOf(LLAMA, NOW.minusMillis(1)).orElseThrow().inputPerMillion())
                .isEqualTo(Money.parseUsd("0.282"));
        assertThat(book.priceOf(LLAMA).orElseThrow().outputPerMillion()).isEqualTo(Money.parseUsd("0.9"));
        assertThat(book.priceOf(LLAMA, LATER).orElseThrow().outputPerMillion()).isEqualTo(Money.parseUsd("1.5"));
        assertThat(book.listed()).filteredOn(row -> row.price().model().equals(LLAMA)).hasSize(2);
    }

    @Test
    void theMarkupRaisesEveryPriceRoundedUpToTheNanoDollar() {
        book.record(new MarkupSet(150, NOW, "a", NOW));

        ModelPrice llama = book.priceOf(LLAMA).orElseThrow();
        // 0.282 × 1.015 = 0.28623; 0.827 × 1.015 = 0.839405
        assertThat(llama.inputPerMillion()).isEqualTo(Money.parseUsd("0.28623"));
        assertThat(llama.outputPerMillion()).isEqualTo(Money.parseUsd("0.839405"));
        assertThat(book.priceOf("@cf/openai/whisper").orElseThrow().units().get(0).price())
                .isEqualTo(Money.parseUsd("0.0005075"));
        assertThat(PriceBook.markedUp(Money.ofNanos(1), 1)).isEqualTo(Money.ofNanos(2));
        assertThat(PriceBook.markedUp(Money.ofUsd(1_000_000), 100_000)).isEqualTo(Money.ofUsd(11_000_000));
    }

    @Test
    void theMarkupInEffectNamesWhenItTookEffectAndNotOneSetForLater() {
        // given no markup yet
        PriceBook.Markup none = book.markup();

        // when one takes effect an hour ago and another is set for later
        Instant anHourAgo = NOW.minusSeconds(3_600);
        book.record(new MarkupSet(150, anHourAgo, "a", anHourAgo));
        book.record(new MarkupSet(300, LATER, "a", NOW));

        // then the book had none, and now has the first since its effective time
        assertThat(none).isEqualTo(new PriceBook.Markup(0, null));
        assertThat(book.markup()).isEqualTo(new PriceBook.Markup(150, anHourAgo));
        assertThat(book.markupBasisPoints()).isEqualTo(150);
    }

    @Test
    void unitPricesChangeFromTheirEffectiveTimeWithTheMarkupOnTop() {
        String flux = "@cf/black-forest-labs/flux-1-schnell";
        UnitPrice catalogueTile = book.priceOf(flux).orElseThrow().unit(UnitPrice.IMAGE_TILE).orElseThrow();
        book.record(new ModelPriceSet(flux, Money.ZERO, Money.ZERO, LATER, "a", NOW, List.of(
                new PricedUnit(UnitPrice.IMAGE_TILE, Money.parseUsd("0.0001"), 1),
                new PricedUnit(UnitPrice.STEP, Money.parseUsd("0.0002"), 1))));
        book.record(new MarkupSet(100, LATER, "a", NOW));

        assertThat(book.priceOf(flux).orElseThrow().unit(UnitPrice.IMAGE_TILE)).contains(catalogueTile);
        ModelPrice later = book.priceOf(flux, LATER).orElseThrow();
        // 0.0001 × 1.01 = 0.000101; 0.0002 × 1.01 = 0.000202
        assertThat(later.unit(UnitPrice.IMAGE_TILE).orElseThrow().price()).isEqualTo(Money.parseUsd("0.000101"));
        assertThat(later.unit(UnitPrice.STEP).orElseThrow().price()).isEqualTo(Money.parseUsd("0.000202"));
        assertThat(book.listPriceOf(flux, LATER).orElseThrow().units())
                .extracting(UnitPrice::price).containsExactly(Money.parseUsd("0.0001"), Money.parseUsd("0.0002"));
    }

    @Test
    void aChangeLaysItsUnitsOverTheCataloguesByNameAndKeepsTheRest() {
        String flux = "@cf/black-forest-labs/flux-1-schnell";
        UnitPrice catalogueStep = book.priceOf(flux).orElseThrow().unit(UnitPrice.STEP).orElseThrow();
        book.record(new ModelPriceSet(flux, Money.ZERO, Money.ZERO, NOW, "a", NOW, List.of(
                new PricedUnit(UnitPrice.IMAGE_TILE, Money.parseUsd("0.0001"), 1),
                new PricedUnit("pixel", Money.parseUsd("1"), 1))));

        ModelPrice now = book.priceOf(flux).orElseThrow();
        assertThat(now.units()).extracting(UnitPrice::unit).containsExactly(UnitPrice.IMAGE_TILE, UnitPrice.STEP);
        assertThat(now.unit(UnitPrice.IMAGE_TILE).orElseThrow().price()).isEqualTo(Money.parseUsd("0.0001"));
        assertThat(now.unit(UnitPrice.STEP)).contains(catalogueStep);
    }

    @Test
    void recordingTheSameChangeTwiceChangesNothing() {
        ModelPriceSet change = new ModelPriceSet(LLAMA, Money.parseUsd("0.3"), Money.parseUsd("0.9"), NOW, "a", NOW);
        book.record(change);
        book.record(change);

        assertThat(book.listed()).filteredOn(row -> row.price().model().equals(LLAMA)).hasSize(1);
        assertThat(book.priceOf(LLAMA).orElseThrow().inputPerMillion()).isEqualTo(Money.parseUsd("0.3"));
    }

    @Test
    void anUnknownModelStaysUnknown() {
        book.record(new ModelPriceSet("@cf/nobody/nothing", Money.ZERO, Money.ZERO, NOW, "a", NOW));

        assertThat(book.priceOf("@cf/nobody/nothing")).isEmpty();
    }

    @Test
    void everyLookupCatchesUpFirstWhateverTheTimeItAsksAbout() {
        java.util.concurrent.atomic.AtomicInteger catchUps = new java.util.concurrent.atomic.AtomicInteger();
        book.keepFreshWith(catchUps::incrementAndGet);

        book.priceOf(LLAMA);
        book.priceOf(LLAMA, LATER);
        book.listPriceOf(LLAMA, LATER);
        book.all();

        assertThat(catchUps.get()).isEqualTo(4);
    }
}
