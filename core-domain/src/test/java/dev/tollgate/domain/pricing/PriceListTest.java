package dev.tollgate.domain.pricing;

import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import dev.tollgate.api.pricing.PriceBookId;
import dev.tollgate.api.pricing.PricedUnit;
import dev.tollgate.api.pricing.SetMarkup;
import dev.tollgate.api.pricing.SetModelPrice;
import java.time.Instant;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The price book decides price and markup changes (ADR 28). */
class PriceListTest {
    static final String BOOK = PriceBookId.VALUE;
    static final String LLAMA = "@cf/meta/llama-3.1-8b-instruct";
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final Instant LATER = T0.plusSeconds(3_600);

    private FixtureConfiguration<PriceList> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(PriceList.class);
    }

    static Money usd(String text) {
        return Money.parseUsd(text);
    }

    @Test
    void theFirstPriceOpensThePriceBookAndTakesEffectWhenAccepted() {
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, LLAMA, usd("0.3"), usd("0.9"), null, "admin:a", T0))
                .expectEvents(new ModelPriceSet(LLAMA, usd("0.3"), usd("0.9"), T0, "admin:a", T0))
                .expectResultMessagePayload(new ModelPriceSet(LLAMA, usd("0.3"), usd("0.9"), T0, "admin:a", T0));
    }

    @Test
    void aPriceCanBeScheduledForLater() {
        fixture.given(new ModelPriceSet(LLAMA, usd("0.3"), usd("0.9"), T0, "admin:a", T0))
                .when(new SetModelPrice(BOOK, LLAMA, usd("0.4"), usd("1"), LATER, "admin:a", T0))
                .expectEvents(new ModelPriceSet(LLAMA, usd("0.4"), usd("1"), LATER, "admin:a", T0));
    }

    @Test
    void aPriceNeverTakesEffectBeforeItWasAcceptedSoNothingThatRanIsRepriced() {
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, LLAMA, usd("0.4"), usd("1"), T0.minusSeconds(60), "admin:a", T0))
                .expectEvents(new ModelPriceSet(LLAMA, usd("0.4"), usd("1"), T0, "admin:a", T0));
    }

    @Test
    void aFreeModelIsAllowed() {
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, LLAMA, Money.ZERO, Money.ZERO, null, "admin:a", T0))
                .expectEvents(new ModelPriceSet(LLAMA, Money.ZERO, Money.ZERO, T0, "admin:a", T0));
    }

    @Test
    void aNegativeOrAbsurdPriceIsRejected() {
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, LLAMA, Money.ofNanos(-1), usd("1"), null, "admin:a", T0))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, LLAMA, usd("1"), usd("1000000.000000001"), null, "admin:a", T0))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    @Test
    void unitPricesAreRecordedWithTheChange() {
        List<PricedUnit> units = List.of(new PricedUnit("image_tile", usd("0.0001"), 1),
                new PricedUnit("step", usd("0.0002"), 1));
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice(BOOK, "@cf/black-forest-labs/flux-1-schnell", Money.ZERO, Money.ZERO, null,
                        "admin:a", T0, units))
                .expectEvents(new ModelPriceSet("@cf/black-forest-labs/flux-1-schnell", Money.ZERO, Money.ZERO, T0,
                        "admin:a", T0, units));
    }

    @Test
    void badUnitPricesAreRejected() {
        for (List<PricedUnit> bad : List.of(
                List.of(new PricedUnit("step", Money.ofNanos(-1), 1)),
                List.of(new PricedUnit("step", usd("1000000.000000001"), 1)),
                List.of(new PricedUnit("step", usd("1"), 0)),
                List.of(new PricedUnit(" ", usd("1"), 1)),
                List.of(new PricedUnit("step", usd("1"), 1), new PricedUnit("step", usd("2"), 1)))) {
            fixture.givenNoPriorActivity()
                    .when(new SetModelPrice(BOOK, "@cf/black-forest-labs/flux-1-schnell", Money.ZERO, Money.ZERO,
                            null, "admin:a", T0, bad))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Test
    void thereIsOnlyOnePriceBook() {
        fixture.givenNoPriorActivity()
                .when(new SetModelPrice("another-book", LLAMA, usd("1"), usd("1"), null, "admin:a", T0))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }

    @Test
    void aMarkupIsRecordedInBasisPoints() {
        fixture.given(new ModelPriceSet(LLAMA, usd("0.3"), usd("0.9"), T0, "admin:a", T0))
                .when(new SetMarkup(BOOK, 1_500, null, "admin:a", LATER))
                .expectEvents(new MarkupSet(1_500, LATER, "admin:a", LATER));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 100_001, Integer.MAX_VALUE})
    void aMarkupOutsideZeroToAThousandPercentIsRejected(int basisPoints) {
        fixture.givenNoPriorActivity()
                .when(new SetMarkup(BOOK, basisPoints, null, "admin:a", T0))
                .expectException(InvalidCommandException.class)
                .expectNoEvents();
    }
}
