package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * A call that runs longer than its hold: the hold's deadline frees the money (two seconds here), and the
 * provider's answer comes after. The call is charged all the same, exactly, from what is available then (ADR 42);
 * before, the answer was thrown away (a chat) or delivered for nothing (a stream), and a slow reader could stretch
 * any stream past its deadline.
 */
class LapsedHoldsTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    /** (136 × 282,000,000 + 10 × 827,000,000) / 1e6 nano-USD: the model's price for this usage. */
    private static final String COST = "0.000046622";

    @Override
    protected Map<String, String> moreProperties() {
        return Map.of("tollgate.hold-timeout-seconds", "2");
    }

    @Test
    void aChatAnsweredAfterItsHoldLapsedIsAnsweredAndChargedExactly() {
        // given a user with 1 USD, and a provider that answers after five seconds
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":136,"
                + "\"completion_tokens\":10,\"total_tokens\":146}},\"success\":true,\"errors\":[]}")
                .setHeadersDelay(5, TimeUnit.SECONDS));

        // when the chat is sent (its hold lapses after two)
        Http.Answer chat = http.post("/api/ai/chat", user.token(), CHAT);

        // then the caller gets the answer, and exactly its cost is charged, with no hold left
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().get("response").asText()).isEqualTo("Cheese.");
        assertThat(chat.body().get("cost_usd").asText()).isEqualTo(COST);
        assertThat(chat.body().get("balance_usd").asText()).isEqualTo("0.999953378");
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("0.999953378");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        // and the hold's deadline did release it first, so this is the path under test
        assertThat(events(user.id())).contains("ReservationReleased:expired", "ReservationSettled");
        JsonNode logged = http.get("/api/usage/logs?limit=1", user.token()).body().get("items").get(0);
        assertThat(logged.get("status").asText()).isEqualTo("ok");
        assertThat(logged.get("cost_usd").asText()).isEqualTo(COST);
        assertThat(http.get("/api/admin/ledger/check", admin).body().get("ok").asBoolean()).isTrue();
    }

    @Test
    void aStreamThatEndsAfterItsHoldLapsedIsChargedExactlyForWhatItProduced() throws Exception {
        // given a user with 1 USD, and a provider whose stream takes about five seconds to finish
        Funded user = funded("1");
        String sse = "data: {\"response\":\"Chee\"}\n\n" + "data: {\"response\":\"se.\"}\n\n"
                + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":136,\"completion_tokens\":10,"
                + "\"total_tokens\":146}}\n\n" + "data: [DONE]\n\n";
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody(sse).throttleBody(sse.length() / 5 + 1, 1, TimeUnit.SECONDS));

        // when the chat is streamed (its hold lapses after two seconds)
        String raw = http.post("/api/ai/chat/stream", user.token(), CHAT).raw();

        // then the stream ends normally, with the exact cost, and the balance moved by exactly that
        assertThat(raw).as(raw).contains("data: [DONE]").doesNotContain("\"error\"");
        JsonNode last = raw.lines().filter(l -> l.startsWith("data: {\"usage\""))
                .map(l -> parse(l.substring("data: ".length()))).reduce((a, b) -> b).orElseThrow();
        assertThat(last.get("cost_usd").asText()).isEqualTo(COST);
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(new BigDecimal(balance.get("balance_usd").asText()))
                .isEqualByComparingTo(BigDecimal.ONE.subtract(new BigDecimal(COST)));
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        assertThat(events(user.id())).contains("ReservationReleased:expired", "ReservationSettled");
    }

    /** The account's event types in order, a release marked with ":expired" when its deadline made it. */
    private java.util.List<String> events(String userId) {
        java.util.List<String> types = new java.util.ArrayList<>();
        for (JsonNode event : http.get("/api/admin/accounts/" + userId + "/events", admin).body()) {
            String type = event.get("type").asText();
            types.add(event.get("payload").path("expired").asBoolean() ? type + ":expired" : type);
        }
        return types;
    }

    private static JsonNode parse(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
