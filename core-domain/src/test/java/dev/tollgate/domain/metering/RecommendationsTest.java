package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.money.Money;
import dev.tollgate.domain.metering.Recommendations.ModelUsage;
import dev.tollgate.domain.metering.Recommendations.Recommendation;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecommendationsTest {
    private final PriceBook book = PriceBook.cloudflareList();

    @Test
    void theCheapestModelOfTheSameTaskForTheSameTokensIsSuggestedWithItsSaving() {
        // given 1M input and 1M output tokens on llama-3.1-8b, paid at its price: 0.282 + 0.827 = 1.109 USD
        List<ModelUsage> usage = List.of(new ModelUsage("@cf/meta/llama-3.1-8b-instruct", 1_000_000, 1_000_000,
                Money.parseUsd("1.109")));

        // when recommendations are made
        List<Recommendation> found = Recommendations.of(usage, book);

        // then the cheapest text model for those tokens is llama-3.2-1b: 0.027 + 0.201 = 0.228 USD
        assertThat(found).containsExactly(new Recommendation("@cf/meta/llama-3.1-8b-instruct",
                Money.parseUsd("1.109"), "@cf/meta/llama-3.2-1b-instruct", Money.parseUsd("0.228"),
                Money.parseUsd("0.881")));
    }

    @Test
    void theCheapestModelIsNotToldToSaveAndNeitherAreEmbeddingsOrMedia() {
        List<ModelUsage> usage = List.of(
                new ModelUsage("@cf/meta/llama-3.2-1b-instruct", 1_000_000, 1_000_000, Money.parseUsd("0.228")),
                new ModelUsage("@cf/baai/bge-large-en-v1.5", 1_000_000, 0, Money.parseUsd("0.204")),
                new ModelUsage("@cf/openai/whisper", 0, 0, Money.parseUsd("1")),
                new ModelUsage("@cf/nobody/nothing", 5, 5, Money.parseUsd("1")));

        assertThat(Recommendations.of(usage, book)).isEmpty();
    }

    @Test
    void aVisionModelIsOnlyMatchedWithOneThatReadsImages() {
        List<ModelUsage> usage = List.of(new ModelUsage("@cf/meta/llama-3.2-11b-vision-instruct", 1_000_000,
                1_000_000, Money.parseUsd("0.725")));

        assertThat(Recommendations.of(usage, book)).isEmpty();
    }

    @Test
    void theLargestSavingComesFirst() {
        List<ModelUsage> usage = List.of(
                new ModelUsage("@cf/meta/llama-3.1-8b-instruct", 1_000, 1_000, Money.parseUsd("0.001109")),
                new ModelUsage("@cf/deepseek-ai/deepseek-r1-distill-qwen-32b", 1_000_000, 1_000_000,
                        Money.parseUsd("5.378")));

        assertThat(Recommendations.of(usage, book)).extracting(Recommendation::model)
                .containsExactly("@cf/deepseek-ai/deepseek-r1-distill-qwen-32b", "@cf/meta/llama-3.1-8b-instruct");
    }

    @Test
    void tokensBeyondWhatTheLedgerCanPriceAreSkippedNotAnError() {
        List<ModelUsage> usage = List.of(new ModelUsage("@cf/meta/llama-3.1-8b-instruct", Long.MAX_VALUE / 2,
                Long.MAX_VALUE / 2, Money.ofUsd(1_000_000_000L)));

        assertThat(Recommendations.of(usage, book)).isEmpty();
    }
}
