package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Sampling holds only the fields the Workers AI reference documents, so nothing else can be forwarded. */
class SamplingTest {

    @Test
    void itKeepsTheDocumentedFieldsInTheReferencesOrderWithTheCallersDigits() {
        Map<String, BigDecimal> given = new HashMap<>();
        given.put("seed", new BigDecimal("42"));
        given.put("top_p", new BigDecimal("0.90"));

        Sampling sampling = new Sampling(given);
        given.put("top_k", BigDecimal.TEN);

        assertThat(sampling.values().keySet()).containsExactly("top_p", "seed");
        assertThat(sampling.values().get("top_p")).hasToString("0.90");
    }

    @Test
    void aFieldTheReferenceDoesNotDocumentCannotBeHeld() {
        assertThatThrownBy(() -> new Sampling(Map.of("logit_bias", BigDecimal.ONE)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Sampling(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aChatWithoutSamplingHasNone() {
        ChatRequest chat = new ChatRequest("@cf/meta/llama-3.1-8b-instruct", java.util.List.of(new ChatMessage("user",
                "hi")), 16, null);

        assertThat(chat.sampling()).isEqualTo(Sampling.NONE);
        assertThat(chat.sampling().values()).isEmpty();
    }
}
