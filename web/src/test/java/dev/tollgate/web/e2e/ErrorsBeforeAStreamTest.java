package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * A stream that fails before its first byte is answered as a plain JSON error with its real status, even though the
 * client said {@code Accept: text/event-stream} as every SSE client does: SDKs read that error before a stream starts,
 * and a 406 would hide why the call was refused.
 */
class ErrorsBeforeAStreamTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String RUN_PATH = "/client/v4/accounts/a/ai/run/" + MODEL;
    private static final String CHAT = "{\"stream\":true,\"model\":\"" + MODEL + "\",\"max_tokens\":20,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String RUN = "{\"stream\":true,\"max_tokens\":20,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final Map<String, String> SSE = Map.of("Accept", "text/event-stream");

    @Test
    void aStreamTheBalanceCannotCoverIsA402InsufficientFundsInJson() throws InterruptedException {
        // given a user whose millionth of a dollar cannot cover the hold of a 20-token answer
        Funded broke = funded("0.000001");

        // when they ask for a stream as an SSE client does
        Http.Answer refused = http.post("/api/ai/chat/stream", broke.token(), CHAT, SSE);

        // then the refusal says why, as JSON, and Workers AI never heard of it
        assertThat(refused.status()).as(refused.toString()).isEqualTo(402);
        assertThat(refused.errorCode()).isEqualTo("insufficient_funds");
        assertJson(refused);
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertNothingChargedOrHeld(broke, "0.000001");
    }

    @Test
    void anUnknownModelOnTheOpenAiStreamIsA404InOpenAisShape() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when they stream from a model Tollgate does not know
        Http.Answer refused = http.post("/v1/chat/completions", user.token(),
                CHAT.replace(MODEL, "@cf/nobody/no-such-model"), SSE);

        // then it is OpenAI's 404 for a model, as JSON
        assertThat(refused.status()).as(refused.toString()).isEqualTo(404);
        assertThat(refused.body().at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(refused.body().at("/error/param").asText()).isEqualTo("model");
        assertJson(refused);
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertNothingChargedOrHeld(user, "1");
    }

    @Test
    void aProvidersRateLimitBeforeTheStreamIsA429WithItsRetryAfterOnEverySurface() {
        // given a funded user, and a Workers AI that refuses every call for 7 seconds
        Funded user = funded("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "7")
                    .setBody("{\"errors\":[{\"message\":\"slow down\",\"code\":3040}],\"success\":false,\"result\":{}}"));
        }

        // when a stream is asked for on each surface
        Http.Answer own = http.post("/api/ai/chat/stream", user.token(), CHAT, SSE);
        Http.Answer openAi = http.post("/v1/chat/completions", user.token(), CHAT, SSE);
        Http.Answer cloudflare = http.post(RUN_PATH, user.token(), RUN, SSE);

        // then each is a 429 in its surface's shape that passes the provider's wait on, as JSON
        assertThat(List.of(own, openAi, cloudflare)).allSatisfy(limited -> {
            assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
            assertThat(limited.response().headers().firstValue("Retry-After")).hasValue("7");
            assertJson(limited);
        });
        assertThat(own.errorCode()).isEqualTo("rate_limited");
        assertThat(openAi.body().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(cloudflare.body().at("/errors/0/code").asInt()).isEqualTo(3040);
        assertNothingChargedOrHeld(user, "1");
    }

    @Test
    void badInputAndUpstreamFailuresBeforeTheStreamKeepTheirStatuses() {
        // given a funded user, and a Workers AI that fails with a 500 and then with a body that is not JSON
        Funded user = funded("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
        }
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody("this is not json"));

        // when streams are asked for with max_tokens 0, into the failing provider, and into the garbage
        Http.Answer badInput = http.post(RUN_PATH, user.token(), RUN.replace("\"max_tokens\":20", "\"max_tokens\":0"),
                SSE);
        Http.Answer serverError = http.post("/api/ai/chat/stream", user.token(), CHAT, SSE);
        Http.Answer garbage = http.post("/v1/chat/completions", user.token(), CHAT, SSE);

        // then the caller's mistake is a 400 and the provider's a 502, each as JSON
        assertThat(badInput.status()).as(badInput.toString()).isEqualTo(400);
        assertThat(badInput.body().get("success").asBoolean()).isFalse();
        assertThat(serverError.status()).as(serverError.toString()).isEqualTo(502);
        assertThat(serverError.errorCode()).isEqualTo("upstream_error");
        assertThat(garbage.status()).as(garbage.toString()).isEqualTo(502);
        assertThat(garbage.body().at("/error/type").asText()).isEqualTo("server_error");
        assertThat(List.of(badInput, serverError, garbage)).allSatisfy(ErrorsBeforeAStreamTest::assertJson);
        assertNothingChargedOrHeld(user, "1");
    }

    private static void assertJson(Http.Answer answer) {
        assertThat(answer.response().headers().firstValue("Content-Type")).as(answer.toString())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(answer.body().isObject()).as(answer.toString()).isTrue();
    }

    private void assertNothingChargedOrHeld(Funded user, String deposited) {
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo(deposited);
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        JsonNode history = http.get("/api/credits/transactions", user.token()).body().get("items");
        assertThat(history).noneSatisfy(entry -> assertThat(entry.get("type").asText()).isEqualTo("charge"));
    }
}
