package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * Metered calls against a fake Workers AI on 127.0.0.1 that speaks Cloudflare's wire format: the charge comes from
 * the provider's usage to the nano-dollar, failures charge nothing and leave no hold, and a call the balance cannot
 * cover never reaches the provider.
 */
class MeteredGatewayTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";


    @Test
    void theChargeIsTheProvidersUsageAtThePriceRoundedUp() throws InterruptedException {
        String token = fundedUser("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese.\",\"tool_calls\":[],"
                + "\"usage\":{\"prompt_tokens\":136,\"completion_tokens\":10,\"total_tokens\":146}},"
                + "\"success\":true,\"errors\":[],\"messages\":[]}"));

        Http.Answer chat = http.post("/api/ai/chat", token, CHAT);

        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().get("response").asText()).isEqualTo("Cheese.");
        assertThat(chat.body().get("provider").asText()).isEqualTo("cloudflare");
        assertThat(chat.body().get("usage").get("source").asText()).isEqualTo("provider");
        // (136 × 282,000,000 + 10 × 827,000,000) / 1e6 = 46,622 nano-USD exactly
        assertThat(chat.body().get("cost_usd").asText()).isEqualTo("0.000046622");
        assertThat(chat.body().get("balance_usd").asText()).isEqualTo("0.999953378");
        assertThat(http.get("/api/credits/balance", token).body().get("held_usd").asText()).isEqualTo("0");
        RecordedRequest sent = workersAi.takeRequest(1, TimeUnit.SECONDS);
        assertThat(sent.getPath()).isEqualTo("/client/v4/accounts/test-account/ai/run/" + MODEL);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer test-token-not-a-secret");
    }

    @Test
    void aChargeAboveWhatTheAccountCanCoverIsAnsweredAsWhatItCollected() {
        // given a balance of 0.001, and a provider that counts a million prompt tokens where a few were sent
        String token = fundedUser("0.001");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":1000000,"
                + "\"completion_tokens\":1000,\"total_tokens\":1001000}},\"success\":true,\"errors\":[]}"));

        // when the chat is settled
        Http.Answer chat = http.post("/api/ai/chat", token, CHAT);

        // then no balance goes negative, and the answer, the history and the usage log agree on what was taken
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().get("cost_usd").asText()).isEqualTo("0.001");
        assertThat(chat.body().get("balance_usd").asText()).isEqualTo("0");
        JsonNode charge = http.get("/api/credits/transactions?limit=1", token).body().get("items").get(0);
        assertThat(charge.get("amount_usd").asText()).isEqualTo("-0.001");
        assertThat(http.get("/api/usage/logs?limit=1", token).body().get("items").get(0).get("cost_usd").asText())
                .isEqualTo("0.001");
    }

    @Test
    void withoutUsageTheChargeIsAnEstimateAndSaysSo() {
        String token = fundedUser("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese, mostly.\"},\"success\":true,\"errors\":[]}"));

        Http.Answer chat = http.post("/api/ai/chat", token, CHAT);

        assertThat(chat.body().get("usage").get("source").asText()).isEqualTo("estimate");
        JsonNode usage = chat.body().get("usage");
        BigDecimal cost = BigDecimal.valueOf(usage.get("input_tokens").asLong() * 282_000_000L
                        + usage.get("output_tokens").asLong() * 827_000_000L)
                .divide(BigDecimal.valueOf(1_000_000), 0, RoundingMode.CEILING).movePointLeft(9);
        assertThat(new BigDecimal(chat.body().get("cost_usd").asText())).isEqualByComparingTo(cost);
    }

    @Test
    void upstreamFailuresChargeNothingAndLeaveNoHold() {
        String token = fundedUser("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
        }
        workersAi.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "7")
                .setBody("{\"errors\":[{\"message\":\"daily\",\"code\":4006}],\"success\":false,\"result\":{}}"));
        workersAi.enqueue(json200("this is not json"));

        Http.Answer serverError = http.post("/api/ai/chat", token, CHAT);
        Http.Answer limited = http.post("/api/ai/chat", token, CHAT);
        Http.Answer garbage = http.post("/api/ai/chat", token, CHAT);

        assertThat(serverError.status()).isEqualTo(502);
        assertThat(limited.status()).isEqualTo(429);
        assertThat(limited.errorCode()).isEqualTo("rate_limited");
        assertThat(limited.response().headers().firstValue("Retry-After")).hasValue("7");
        assertThat(limited.response().headers().firstValue("x-should-retry")).isEmpty();
        assertThat(garbage.status()).isEqualTo(502);
        JsonNode balance = http.get("/api/credits/balance", token).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        assertThat(serverError.raw()).doesNotContain("test-token-not-a-secret");
        // and the usage log names the model each failed call asked for
        JsonNode logged = http.get("/api/usage/logs?limit=3", token).body().get("items");
        assertThat(logged).hasSize(3).allSatisfy(call -> {
            assertThat(call.get("status").asText()).isEqualTo("failed");
            assertThat(call.get("model").asText()).isEqualTo(MODEL);
        });
    }

    @Test
    void aStreamCutShortIsChargedForWhatItProducedSaysSoAndIsLoggedAsPartial() throws Exception {
        // given a provider whose stream stops after "Hel", with no usage and no [DONE]
        String token = fundedUser("1");
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"Hel\"}\n\n"));

        // when the chat is streamed
        String raw = http.post("/api/ai/chat/stream", token, CHAT.replace("\"max_tokens\"", "\"stream\":true,"
                + "\"max_tokens\"")).raw();

        // then its last event is the error, with what the output cost and the balance that left
        String[] lines = raw.lines().filter(l -> l.startsWith("data: ")).toArray(String[]::new);
        JsonNode last = Http.JSON.readTree(lines[lines.length - 1].substring("data: ".length()));
        assertThat(last.get("error").get("code").asText()).as(raw).isEqualTo("upstream_error");
        assertThat(raw).doesNotContain("[DONE]");
        JsonNode balance = http.get("/api/credits/balance", token).body();
        BigDecimal cost = new BigDecimal(last.get("cost_usd").asText());
        assertThat(cost).isPositive();
        assertThat(last.get("usage").get("source").asText()).isEqualTo("estimate");
        assertThat(last.get("usage").get("output_tokens").asLong()).isPositive();
        assertThat(new BigDecimal(last.get("balance_usd").asText())).isEqualByComparingTo(BigDecimal.ONE.subtract(cost))
                .isEqualByComparingTo(new BigDecimal(balance.get("balance_usd").asText()));
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");

        // and the usage log shows the call as partial, while the stats count what it was charged
        JsonNode logged = http.get("/api/usage/logs?limit=1", token).body().get("items").get(0);
        assertThat(logged.get("status").asText()).isEqualTo("partial");
        assertThat(new BigDecimal(logged.get("cost_usd").asText())).isEqualByComparingTo(cost);
        JsonNode stats = http.get("/api/usage/stats?days=1", token).body();
        assertThat(stats.get("total_requests").asLong()).isEqualTo(1);
        assertThat(new BigDecimal(stats.get("total_cost_usd").asText())).isEqualByComparingTo(cost);
    }

    @Test
    void usageTooLargeToPriceIsSettledAtOnceByEstimateOnThePlainAndTheStreamedChat() throws Exception {
        // given a provider that counts 10^15 tokens each way for a chat, and 2^62 each way for a streamed one:
        // counts whose cost no ledger amount can hold
        String token = fundedUser("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":"
                + "1000000000000000,\"completion_tokens\":1000000000000000}},\"success\":true,\"errors\":[]}"));
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"Cheese.\"}\n\n"
                        + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":4611686018427387904,"
                        + "\"completion_tokens\":4611686018427387904}}\n\n"
                        + "data: [DONE]\n\n"));

        // when the chat is asked for plainly and as a stream
        Http.Answer chat = http.post("/api/ai/chat", token, CHAT);
        String streamed = http.post("/api/ai/chat/stream", token, CHAT.replace("{", "{\"stream\":true,")).raw();

        // then both are answered and charged on Tollgate's estimate, and say so: the provider's fault is not the caller's
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().at("/usage/source").asText()).isEqualTo("estimate");
        assertThat(streamed).as(streamed).endsWith("data: [DONE]\n\n").doesNotContain("\"error\"");
        String[] events = streamed.lines().filter(l -> l.startsWith("data: ")).toArray(String[]::new);
        JsonNode settledStream = Http.JSON.readTree(events[events.length - 2].substring("data: ".length()));
        assertThat(settledStream.at("/usage/source").asText()).isEqualTo("estimate");
        // and both holds ended at once, with exactly the two estimates taken from the balance
        BigDecimal charged = new BigDecimal(chat.body().get("cost_usd").asText())
                .add(new BigDecimal(settledStream.get("cost_usd").asText()));
        assertThat(charged).isPositive();
        JsonNode balance = http.get("/api/credits/balance", token).body();
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        assertThat(new BigDecimal(balance.get("balance_usd").asText()))
                .isEqualByComparingTo(BigDecimal.ONE.subtract(charged));
        JsonNode logged = http.get("/api/usage/logs?limit=2", token).body().get("items");
        assertThat(logged).hasSize(2).allSatisfy(call -> assertThat(call.get("status").asText()).isEqualTo("ok"));
    }

    @Test
    void aDailyAllocationUsedUpTellsEverySurfacesClientsNotToRetryWithinTheHour() {
        // given Workers AI refusing the next three calls until its daily allocation comes back in an hour
        String token = fundedUser("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(429).setHeader("Retry-After", "3600")
                    .setBody("{\"errors\":[{\"message\":\"daily allocation\",\"code\":4006}],\"success\":false,"
                            + "\"result\":{}}"));
        }

        // when a chat is sent on Tollgate's own surface, OpenAI's and Cloudflare's
        Http.Answer own = http.post("/api/ai/chat", token, CHAT);
        Http.Answer openAi = http.post("/v1/chat/completions", token, CHAT);
        Http.Answer cloudflare = http.post("/client/v4/accounts/any/ai/run/" + MODEL, token, CHAT);

        // then each is a 429 that says when to come back and, as that is past what SDKs wait, not to retry before
        for (Http.Answer answer : new Http.Answer[] {own, openAi, cloudflare}) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(429);
            assertThat(answer.response().headers().firstValue("Retry-After")).hasValue("3600");
            assertThat(answer.response().headers().firstValue("x-should-retry")).hasValue("false");
        }
        assertThat(http.get("/api/credits/balance", token).body().get("balance_usd").asText()).isEqualTo("1");
    }

    @Test
    void aCallTheBalanceCannotCoverNeverReachesTheProvider() throws InterruptedException {
        String token = fundedUser("0.00001");

        Http.Answer refused = http.post("/api/ai/chat", token, CHAT);

        assertThat(refused.status()).isEqualTo(402);
        assertThat(refused.errorCode()).isEqualTo("insufficient_funds");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aChatSentThreeTimesWithOneIdempotencyKeyReachesTheProviderOnceAndIsChargedOnce() throws Exception {
        String token = fundedUser("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Once.\",\"usage\":{\"prompt_tokens\":100,"
                + "\"completion_tokens\":20,\"total_tokens\":120}},\"success\":true,\"errors\":[]}"));
        Map<String, String> key = Map.of("Idempotency-Key", "chat-" + System.nanoTime());

        java.util.List<Http.Answer> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(http.post("/api/ai/chat", token, CHAT, key));
        }
        Http.Answer otherBody = http.post("/api/ai/chat", token, CHAT.replace("pizza", "pasta"), key);

        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isEqualTo(200));
        assertThat(answers).extracting(a -> a.body()).containsOnly(answers.get(0).body());
        assertThat(otherBody.status()).isEqualTo(409);
        assertThat(otherBody.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(workersAi.takeRequest(1, TimeUnit.SECONDS)).isNotNull();
        assertThat(workersAi.takeRequest(300, TimeUnit.MILLISECONDS)).as("a second upstream call").isNull();
        // (100 × 282,000,000 + 20 × 827,000,000) / 1e6 = 44,740 nano-USD, once
        assertThat(http.get("/api/credits/balance", token).body().get("balance_usd").asText()).isEqualTo("0.99995526");
    }

    @Test
    void fiftyConcurrentChatsOnABalanceForAboutTenNeverOverspend() throws Exception {
        // given a balance that covers about ten holds, and a provider that answers every call the same way
        String token = fundedUser("0.0009");
        java.util.concurrent.atomic.AtomicInteger upstreamCalls = new java.util.concurrent.atomic.AtomicInteger();
        workersAi.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                upstreamCalls.incrementAndGet();
                return json200("{\"result\":{\"response\":\"ok\",\"usage\":{\"prompt_tokens\":20,"
                        + "\"completion_tokens\":50,\"total_tokens\":70}},\"success\":true,\"errors\":[]}");
            }
        });
        try {
            // when 50 chats arrive at once
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50);
            java.util.List<java.util.concurrent.Future<Http.Answer>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i++) {
                calls.add(pool.submit(() -> http.post("/api/ai/chat", token, CHAT)));
            }
            int ok = 0;
            for (var call : calls) {
                Http.Answer answer = call.get(60, TimeUnit.SECONDS);
                if (answer.status() == 200) {
                    ok++;
                    assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.00004699");
                } else {
                    assertThat(answer.status()).as(answer.toString()).isEqualTo(402);
                    assertThat(answer.errorCode()).isEqualTo("insufficient_funds");
                }
            }
            pool.shutdown();

            // then each call was either charged exactly or refused before reaching the provider, and nothing is held
            JsonNode balance = http.get("/api/credits/balance", token).body();
            BigDecimal expected = new BigDecimal("0.0009").subtract(new BigDecimal("0.00004699").multiply(BigDecimal.valueOf(ok)));
            assertThat(ok).isPositive().isLessThan(50);
            assertThat(upstreamCalls.get()).isEqualTo(ok);
            assertThat(new BigDecimal(balance.get("balance_usd").asText())).isEqualByComparingTo(expected).isNotNegative();
            assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        } finally {
            workersAi.setDispatcher(new okhttp3.mockwebserver.QueueDispatcher());
        }
    }

    private String fundedUser(String usd) {
        return funded(usd).token();
    }
}
