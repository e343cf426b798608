package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a caller hears on each surface (Tollgate's API, the OpenAI drop-in, the Cloudflare drop-in) when Workers AI
 * refuses a call, and how many times Tollgate asked before answering.
 */
class ProviderRefusalsTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String RUN = "{\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";

    @Test
    void aRateLimitAskingForLongerThanTollgateWaitsIsPassedOnWithItsRetryAfterAfterOneUpstreamCall() {
        // given a Workers AI that answers every call with a 429 asking for 30 s
        String token = funded("1").token();
        AtomicInteger upstreamCalls = answerEveryCallWith(cloudflareError(429, 3021, "Capacity temporarily exceeded")
                .setHeader("Retry-After", "30"));

        // when one chat is sent on each surface
        List<Http.Answer> answers = onEverySurface(token);

        // then each surface answers 429 with Cloudflare's 30 s, after one upstream call each
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(429);
            assertThat(answer.response().headers().firstValue("Retry-After")).hasValue("30");
        });
        assertThat(upstreamCalls).hasValue(answers.size());
    }

    @Test
    void anUpstreamThatKeepsFailingIsA502ThatTellsSdksNotToMultiplyTollgatesOwnRetries() {
        // given a Workers AI that answers every call with a 500
        String token = funded("1").token();
        AtomicInteger upstreamCalls = answerEveryCallWith(new MockResponse().setResponseCode(500));

        // when one chat is sent on each surface
        List<Http.Answer> answers = onEverySurface(token);

        // then each is a 502 after Tollgate's three tries, saying x-should-retry: false, which OpenAI's and
        // Cloudflare's SDKs obey instead of trying three times more each
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
            assertThat(answer.response().headers().firstValue("x-should-retry")).hasValue("false");
        });
        assertThat(upstreamCalls).hasValue(answers.size() * 3);
        // and nothing was charged or left held
        JsonNode balance = http.get("/api/credits/balance", token).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void anInvalidModelIdIsModelNotFoundOnEverySurface() {
        // given a Workers AI that does not know the model id (404, code 3042)
        String token = funded("1").token();
        answerEveryCallWith(cloudflareError(404, 3042, "No such model " + MODEL + " or task"));

        // when one chat is sent on each surface
        List<Http.Answer> answers = onEverySurface(token);

        // then each says 404 model not found, in its own shape; the Cloudflare drop-in keeps Cloudflare's code
        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isEqualTo(404));
        assertThat(answers.get(0).errorCode()).isEqualTo("model_not_found");
        assertThat(answers.get(1).errorCode()).isEqualTo("model_not_found");
        assertThat(answers.get(1).body().path("error").path("param").asText()).isEqualTo("model");
        assertThat(answers.get(2).body().path("success").asBoolean()).isFalse();
        assertThat(answers.get(2).body().path("errors").path(0).path("code").asInt()).isEqualTo(3042);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 403})
    void refusedCredentialsAreA502ThatNamesNoneOfTollgatesSettings(int status) {
        // given a Workers AI that refuses Tollgate's own token
        String token = funded("1").token();
        AtomicInteger upstreamCalls = answerEveryCallWith(cloudflareError(status, 10000, "Authentication error"));

        // when one chat is sent on each surface
        List<Http.Answer> answers = onEverySurface(token);

        // then each says 502, that the provider refused Tollgate's credentials, and nothing of how Tollgate is set up
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
            assertThat(answer.raw()).contains("refused Tollgate's credentials").doesNotContain("CLOUDFLARE_");
        });
        assertThat(answers.get(0).errorCode()).isEqualTo("upstream_auth");
        assertThat(answers.get(1).errorCode()).isEqualTo("upstream_error");
        // and the Cloudflare drop-in does not say 10000, which Cloudflare's SDKs read as the caller's own bad token
        assertThat(answers.get(2).body().path("errors").path(0).path("code").asInt()).isEqualTo(9502);
        assertThat(upstreamCalls).hasValue(answers.size());
    }

    @ParameterizedTest(name = "code {0}")
    @ValueSource(ints = {5016, 3023})
    void anAccountThatMayNotRunTheModelIsAnUpstreamErrorNotTheCallersBadRequest(int code) {
        // given a Workers AI that refuses Tollgate's account: model terms not accepted (5016) or account blocked (3023)
        String token = funded("1").token();
        answerEveryCallWith(cloudflareError(403, code, "Forbidden"));

        // when one chat is sent on each surface
        List<Http.Answer> answers = onEverySurface(token);

        // then each says 502 upstream error: nothing the caller changes in the request would help
        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isEqualTo(502));
        assertThat(answers.get(0).errorCode()).isEqualTo("upstream_error");
        assertThat(answers.get(1).errorCode()).isEqualTo("upstream_error");
        assertThat(answers.get(2).body().path("errors").path(0).path("code").asInt()).isEqualTo(9502);
    }

    /** Tollgate's API, the OpenAI drop-in, the Cloudflare drop-in, in that order. */
    private List<Http.Answer> onEverySurface(String token) {
        return List.of(
                http.post("/api/ai/chat", token, CHAT),
                http.post("/v1/chat/completions", token, CHAT),
                http.post("/client/v4/accounts/any/ai/run/" + MODEL, token, RUN));
    }

    /** From here on, every upstream call gets {@code response}; answers how many calls there were. */
    private AtomicInteger answerEveryCallWith(MockResponse response) {
        AtomicInteger calls = new AtomicInteger();
        workersAi.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                calls.incrementAndGet();
                return response.clone();
            }
        });
        return calls;
    }

    private static MockResponse cloudflareError(int status, int code, String message) {
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json")
                .setBody("{\"errors\":[{\"message\":\"" + message + "\",\"code\":" + code + "}],"
                        + "\"success\":false,\"result\":{},\"messages\":[]}");
    }
}
