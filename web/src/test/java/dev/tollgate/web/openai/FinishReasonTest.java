package dev.tollgate.web.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.ai.MeteredCalls;
import org.junit.jupiter.api.Test;

/** Why an answer ended, on OpenAI's surface, when Workers AI's own answer gives no reason. */
class FinishReasonTest {

    private static MeteredCalls.Metered answered(long outputTokens, String reason) {
        return new MeteredCalls.Metered("req-1", "@cf/meta/llama-3.1-8b-instruct", "text", 10, outputTokens,
                TokenSource.PROVIDER, Money.ZERO, Money.ZERO, "cloudflare", 5, reason);
    }

    @Test
    void anAnswerThatReachedMaxTokensWasCutThere() {
        assertThat(OpenAiController.finishReason(answered(30, null), 30)).isEqualTo("length");
    }

    @Test
    void anAnswerBelowMaxTokensStoppedOnItsOwn() {
        assertThat(OpenAiController.finishReason(answered(29, null), 30)).isEqualTo("stop");
    }

    @Test
    void aReasonTheProviderGaveIsKept() {
        assertThat(OpenAiController.finishReason(answered(30, "stop"), 30)).isEqualTo("stop");
        assertThat(OpenAiController.finishReason(answered(3, "length"), 30)).isEqualTo("length");
    }
}
