package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.tollgate.web.ai.IdempotentCalls;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Retries with an Idempotency-Key on every metered surface, against a fake Workers AI that counts its calls: a
 * retry gets the first answer (a stream is replayed as it ended), the provider is called once, and the balance
 * moves once.
 */
class IdempotentRetriesTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String BGE = "@cf/baai/bge-base-en-v1.5";
    private static final String SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0";
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":50," + MESSAGES + "}";
    private static final String STREAM = "{\"model\":\"" + MODEL + "\",\"max_tokens\":50,\"stream\":true,"
            + MESSAGES + "}";
    private static final String OPENAI_STREAM = "{\"model\":\"" + MODEL + "\",\"max_tokens\":50,\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true}," + MESSAGES + "}";
    private static final String RUN = "/client/v4/accounts/any/ai/run/" + MODEL;
    /** 10 input and 2 output tokens of llama-3.1-8b: (10 × 282,000,000 + 2 × 827,000,000) / 1e6 nano-USD. */
    private static final String HELLO_BALANCE = "0.999995526";


    @Test
    void theOpenAiSdkSendingACompletionTwiceWithOneKeyReachesTheProviderOnce() {
        // given a funded user with an API key, and a provider that answers once
        String token = fundedUser("1");
        String apiKey = http.post("/api/auth/api-keys", token, json("name", "sdk")).body().get("key").asText();
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(apiKey).baseUrl(app.baseUrl() + "/v1")
                .maxRetries(0).build();
        workersAi.enqueue(helloAnswer());
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Say hello").maxCompletionTokens(50)
                .putAdditionalHeader("Idempotency-Key", key("sdk")).build();
        int before = workersAi.getRequestCount();

        // when the SDK sends the same completion twice with one key
        ChatCompletion first = client.chat().completions().create(params);
        ChatCompletion retry = client.chat().completions().create(params);

        // then both are the first answer, and the provider was called and the balance moved once
        assertThat(first.choices().get(0).message().content()).hasValue("Hello");
        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(retry.choices().get(0).message().content()).hasValue("Hello");
        assertThat(retry.usage()).isEqualTo(first.usage());
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    @Test
    void anOpenAiStreamRetriedWithItsKeyIsReplayedWithTheSameTextAndUsageAndNoSecondCharge() throws Exception {
        // given a funded user and a provider that streams "Hello" once
        String token = fundedUser("1");
        workersAi.enqueue(helloStream());
        Map<String, String> key = Map.of("Idempotency-Key", key("openai-stream"));
        int before = workersAi.getRequestCount();

        // when the stream is sent, then retried with the same key, then the key is reused for another question
        Http.Answer first = http.post("/v1/chat/completions", token, OPENAI_STREAM, key);
        Http.Answer retry = http.post("/v1/chat/completions", token, OPENAI_STREAM, key);
        Http.Answer other = http.post("/v1/chat/completions", token, OPENAI_STREAM.replace("hello", "goodbye"), key);

        // then the retry is a stream with the same text, the same usage chunk and [DONE]
        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.response().headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/event-stream"));
        List<String> firstEvents = events(first.raw());
        List<String> retryEvents = events(retry.raw());
        assertThat(content(retryEvents)).isEqualTo(content(firstEvents)).isEqualTo("Hello");
        assertThat(usageChunk(retryEvents)).isEqualTo(usageChunk(firstEvents));
        assertThat(usageChunk(retryEvents).get("usage").get("completion_tokens").asLong()).isEqualTo(2);
        assertThat(finishReason(retryEvents)).isEqualTo(finishReason(firstEvents)).isEqualTo("stop");
        assertThat(retryEvents.get(retryEvents.size() - 1)).isEqualTo("[DONE]");
        assertThat(Http.JSON.readTree(retryEvents.get(0)).get("id").asText())
                .isEqualTo(Http.JSON.readTree(firstEvents.get(0)).get("id").asText());
        // and, as OpenAI streams with include_usage, every chunk before the usage chunk says "usage":null
        for (List<String> events : List.of(firstEvents, retryEvents)) {
            for (String event : events.subList(0, events.size() - 2)) {
                JsonNode chunk = Http.JSON.readTree(event);
                assertThat(chunk.has("usage") && chunk.get("usage").isNull()).as(event).isTrue();
            }
        }
        // and another body under the same key is refused in OpenAI's shape
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().get("error").get("code").asText()).isEqualTo("idempotency_conflict");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    @Test
    void tollgatesOwnStreamRetriedWithItsKeyIsReplayedWithoutASecondCall() throws Exception {
        String token = fundedUser("1");
        workersAi.enqueue(helloStream());
        Map<String, String> key = Map.of("Idempotency-Key", key("stream"));
        int before = workersAi.getRequestCount();

        Http.Answer first = http.post("/api/ai/chat/stream", token, STREAM, key);
        Http.Answer retry = http.post("/api/ai/chat/stream", token, STREAM, key);
        Http.Answer other = http.post("/api/ai/chat/stream", token, STREAM.replace("hello", "goodbye"), key);

        List<String> firstEvents = events(first.raw());
        List<String> retryEvents = events(retry.raw());
        assertThat(tollgateText(retryEvents)).isEqualTo(tollgateText(firstEvents)).isEqualTo("Hello");
        // the closing chunk (usage, cost, balance, request id) is the first call's, word for word
        assertThat(retryEvents.get(retryEvents.size() - 2)).isEqualTo(firstEvents.get(firstEvents.size() - 2));
        assertThat(Http.JSON.readTree(retryEvents.get(retryEvents.size() - 2)).get("cost_usd").asText())
                .isEqualTo("0.000004474");
        // and, as the contract shows it, the closing chunk is no text chunk: usage, cost, balance, request id
        JsonNode closing = Http.JSON.readTree(firstEvents.get(firstEvents.size() - 2));
        assertThat(closing.has("response")).isFalse();
        assertThat(closing.has("usage") && closing.has("cost_usd") && closing.has("balance_usd")
                && closing.has("request_id")).as(closing.toString()).isTrue();
        assertThat(retryEvents.get(retryEvents.size() - 1)).isEqualTo("[DONE]");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.errorCode()).isEqualTo("idempotency_conflict");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    @Test
    void aStreamThatBrokeAfterChargedOutputIsReplayedAsBrokenAndNotChargedAgain() throws Exception {
        // given a provider whose stream stops after "Hel" without [DONE]
        String token = fundedUser("1");
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"Hel\"}\n\n"));
        Map<String, String> key = Map.of("Idempotency-Key", key("broken"));
        int before = workersAi.getRequestCount();

        // when the stream is sent and retried with its key
        Http.Answer first = http.post("/v1/chat/completions", token, OPENAI_STREAM, key);
        String afterFirst = balance(token);
        Http.Answer retry = http.post("/v1/chat/completions", token, OPENAI_STREAM, key);

        // then the first was charged for "Hel", and the retry replays the same text and the same error, for nothing
        List<String> firstEvents = events(first.raw());
        List<String> retryEvents = events(retry.raw());
        assertThat(afterFirst).isNotEqualTo("1");
        assertThat(content(retryEvents)).isEqualTo(content(firstEvents)).isEqualTo("Hel");
        assertThat(lastJson(retryEvents).get("error").get("code").asText()).isEqualTo("upstream_error");
        assertThat(lastJson(firstEvents).get("error")).isEqualTo(lastJson(retryEvents).get("error"));
        assertThat(Http.JSON.readTree(retryEvents.get(0)).get("id")).isEqualTo(Http.JSON.readTree(firstEvents.get(0)).get("id"));
        assertThat(retryEvents).doesNotContain("[DONE]");
        // and, as the caller asked for usage, both end with the usage of what was charged before the error
        assertThat(usageChunk(firstEvents).get("x_tollgate").get("balance_usd").asText()).isEqualTo(afterFirst);
        assertThat(usageChunk(retryEvents)).isEqualTo(usageChunk(firstEvents));
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(afterFirst);
        assertThat(http.get("/api/credits/balance", token).body().get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void tollgatesAndCloudflaresBrokenStreamsAreReplayedInTheirOwnWaysForNothing() {
        // given a provider whose next two streams stop after "Hel" without [DONE]
        String token = fundedUser("1");
        for (int i = 0; i < 2; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                    .setBody("data: {\"response\":\"Hel\"}\n\n"));
        }
        Map<String, String> ownKey = Map.of("Idempotency-Key", key("own-broken"));
        Map<String, String> runKey = Map.of("Idempotency-Key", key("run-broken"));
        int before = workersAi.getRequestCount();

        // when each surface's stream is sent and retried with its key
        List<String> own = events(http.post("/api/ai/chat/stream", token, STREAM, ownKey).raw());
        List<String> run = events(http.post(RUN, token, STREAM, runKey).raw());
        String afterFirsts = balance(token);
        List<String> ownRetry = events(http.post("/api/ai/chat/stream", token, STREAM, ownKey).raw());
        List<String> runRetry = events(http.post(RUN, token, STREAM, runKey).raw());

        // then Tollgate's replay ends with the first call's error chunk, word for word, and Cloudflare's without
        // [DONE], as the first did; nothing more was called or charged
        assertThat(tollgateText(ownRetry)).isEqualTo(tollgateText(own)).isEqualTo("Hel");
        assertThat(ownRetry.get(ownRetry.size() - 1)).isEqualTo(own.get(own.size() - 1)).contains("upstream_error");
        assertThat(tollgateText(runRetry)).isEqualTo(tollgateText(run)).isEqualTo("Hel");
        assertThat(run).doesNotContain("[DONE]");
        assertThat(runRetry).doesNotContain("[DONE]");
        // and Cloudflare's ends, first and replayed, with the usage of what it was charged (an estimate here)
        JsonNode charged = usageChunk(run);
        assertThat(charged.get("x_tollgate").get("balance_usd").asText()).isEqualTo(balance(token));
        assertThat(charged.get("x_tollgate").get("token_source").asText()).isEqualTo("estimate");
        assertThat(usageChunk(runRetry)).isEqualTo(charged);
        assertThat(afterFirsts).isNotEqualTo("1");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(2);
        assertThat(balance(token)).isEqualTo(afterFirsts);
    }

    @Test
    void aKeyIsForgottenAfterADaySoItsRetryIsANewCallWhileAFreshKeyStillReplays() {
        // given two chats answered under their keys, one of them claimed more than a day ago
        String token = fundedUser("1");
        workersAi.enqueue(helloAnswer());
        workersAi.enqueue(helloAnswer());
        Map<String, String> old = Map.of("Idempotency-Key", key("old"));
        Map<String, String> fresh = Map.of("Idempotency-Key", key("fresh"));
        assertThat(http.post("/api/ai/chat", token, CHAT, old).status()).isEqualTo(200);
        assertThat(http.post("/api/ai/chat", token, CHAT, fresh).status()).isEqualTo(200);
        app.bean(JdbcTemplate.class).update("UPDATE idempotent_call SET created_at = ? WHERE idem_key = ?",
                Timestamp.from(Instant.now().minus(Duration.ofHours(25))), old.get("Idempotency-Key"));

        // when the sweep runs
        int forgotten = app.bean(IdempotentCalls.class).forgetOldKeys();

        // then the old key's retry is a new call (called and charged again), and the fresh key still replays
        int before = workersAi.getRequestCount();
        workersAi.enqueue(helloAnswer());
        Http.Answer oldRetry = http.post("/api/ai/chat", token, CHAT, old);
        Http.Answer freshRetry = http.post("/api/ai/chat", token, CHAT, fresh);
        assertThat(forgotten).isEqualTo(1);
        assertThat(oldRetry.status()).isEqualTo(200);
        assertThat(freshRetry.status()).isEqualTo(200);
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo("0.999986578"); // three charges of 4,474 nano-USD
        // and the app runs that sweep on its own, as a scheduled task
        assertThat(app.bean(JdbcTemplate.class).queryForObject(
                "SELECT COUNT(*) FROM scheduled_tasks WHERE task_name = 'forget-old-idempotency-keys'", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void aStreamThatFailedBeforeAnyOutputGivesItsKeyBackSoTheRetryRunsAgain() {
        // given a provider that fails three times over (the adapter's own retries), then answers
        String token = fundedUser("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
        }
        workersAi.enqueue(helloStream());
        Map<String, String> key = Map.of("Idempotency-Key", key("failed"));

        Http.Answer first = http.post("/api/ai/chat/stream", token, STREAM, key);
        String afterFirst = balance(token);
        Http.Answer retry = http.post("/api/ai/chat/stream", token, STREAM, key);

        assertThat(first.status()).isEqualTo(502);
        assertThat(afterFirst).isEqualTo("1");
        assertThat(tollgateText(events(retry.raw()))).isEqualTo("Hello");
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    @Test
    void aRetryArrivingWhileTheFirstStreamRunsWaitsAndGetsItsReplay() throws Exception {
        // given a provider that takes a while to start its stream
        String token = fundedUser("1");
        workersAi.enqueue(helloStream().setHeadersDelay(1500, TimeUnit.MILLISECONDS));
        Map<String, String> key = Map.of("Idempotency-Key", key("in-flight"));
        int before = workersAi.getRequestCount();

        // when a retry arrives while the first is still waiting for the provider
        CompletableFuture<Http.Answer> first = CompletableFuture.supplyAsync(
                () -> http.post("/api/ai/chat/stream", token, STREAM, key));
        Thread.sleep(500);
        Http.Answer retry = http.post("/api/ai/chat/stream", token, STREAM, key);

        // then the retry waits for the first and replays it: one upstream call, one charge
        assertThat(tollgateText(events(first.get(30, TimeUnit.SECONDS).raw()))).isEqualTo("Hello");
        assertThat(tollgateText(events(retry.raw()))).isEqualTo("Hello");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    @Test
    void aKeyClaimedByANodeThatStoppedWhileItsCallRanIsTakenOverByTheRetry() {
        // given a chat claimed under its key by a node that stopped while the call ran: it has not beaten for a minute
        String token = fundedUser("1");
        String account = http.get("/api/auth/me", token).body().get("id").asText();
        Map<String, String> key = Map.of("Idempotency-Key", key("orphan"));
        Timestamp aMinuteAgo = Timestamp.from(Instant.now().minusSeconds(60));
        JdbcTemplate jdbc = app.bean(JdbcTemplate.class);
        jdbc.update("INSERT INTO node_heartbeat (node_id, seen_at) VALUES ('stopped-node', ?)", aMinuteAgo);
        jdbc.update("INSERT INTO idempotent_call (account_id, idem_key, fingerprint, status, created_at, claimed_by) "
                + "VALUES (?, ?, ?, 'pending', ?, 'stopped-node')", account, key.get("Idempotency-Key"),
                dev.tollgate.web.ledger.Fingerprint.of("chat", readTree(CHAT)), aMinuteAgo);
        workersAi.enqueue(helloAnswer());
        int before = workersAi.getRequestCount();

        // when the client retries, and then retries again
        long started = System.nanoTime();
        Http.Answer retry = http.post("/api/ai/chat", token, CHAT, key);
        long waitedMillis = (System.nanoTime() - started) / 1_000_000;
        Http.Answer again = http.post("/api/ai/chat", token, CHAT, key);

        // then the first retry made the call at once (no two-minute wait for an answer that cannot come), was charged
        // once, and the second is answered from it
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(waitedMillis).isLessThan(30_000);
        assertThat(again.body().get("request_id")).isEqualTo(retry.body().get("request_id"));
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        assertThat(balance(token)).isEqualTo(HELLO_BALANCE);
    }

    private static JsonNode readTree(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void openAiEmbeddingsWithOneKeyAreComputedAndChargedOnce() {
        String token = fundedUser("1");
        workersAi.enqueue(json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]],\"usage\":{\"prompt_tokens\":7}},"
                + "\"success\":true,\"errors\":[]}"));
        String body = "{\"model\":\"" + BGE + "\",\"input\":\"hello\"}";
        Map<String, String> key = Map.of("Idempotency-Key", key("embeddings"));
        int before = workersAi.getRequestCount();

        Http.Answer first = http.post("/v1/embeddings", token, body, key);
        Http.Answer retry = http.post("/v1/embeddings", token, body, key);
        Http.Answer other = http.post("/v1/embeddings", token, body.replace("hello", "bye"), key);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().get("error").get("code").asText()).isEqualTo("idempotency_conflict");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        // 7 × 67,000,000 / 1,000,000 = 469 nano-USD, once
        assertThat(balance(token)).isEqualTo("0.999999531");
    }

    @Test
    void theCloudflareRunPathWithOneKeyCallsOnceAndReplaysItsStream() {
        String token = fundedUser("1");
        workersAi.enqueue(helloAnswer());
        workersAi.enqueue(helloStream());
        Map<String, String> chatKey = Map.of("Idempotency-Key", key("run"));
        Map<String, String> streamKey = Map.of("Idempotency-Key", key("run-stream"));
        int before = workersAi.getRequestCount();

        Http.Answer first = http.post(RUN, token, CHAT, chatKey);
        Http.Answer retry = http.post(RUN, token, CHAT, chatKey);
        Http.Answer other = http.post(RUN, token, CHAT.replace("hello", "goodbye"), chatKey);
        Http.Answer firstStream = http.post(RUN, token, STREAM, streamKey);
        Http.Answer retriedStream = http.post(RUN, token, STREAM, streamKey);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().get("success").asBoolean()).isFalse();
        assertThat(other.body().get("errors").get(0).get("code").asInt()).isEqualTo(9409);
        List<String> streamed = events(firstStream.raw());
        List<String> replayed = events(retriedStream.raw());
        assertThat(tollgateText(replayed)).isEqualTo(tollgateText(streamed)).isEqualTo("Hello");
        assertThat(replayed.get(replayed.size() - 2)).isEqualTo(streamed.get(streamed.size() - 2));
        assertThat(replayed.get(replayed.size() - 1)).isEqualTo("[DONE]");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(2);
        assertThat(balance(token)).isEqualTo("0.999991052");
    }

    @Test
    void aRawPngFromTheCloudflareRunPathIsDrawnOnceAndAnsweredAgainByteForByte() throws Exception {
        // given an SDXL model that answers raw PNG bytes, as Workers AI does
        String token = fundedUser("1");
        byte[] png = MeteredMediaGatewayTest.png(512, 512);
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new okio.Buffer().write(png)));
        String key = key("sdxl");
        int before = workersAi.getRequestCount();

        // when the picture is asked for twice with one key
        java.net.http.HttpResponse<byte[]> first = rawPost(SDXL, token, key);
        java.net.http.HttpResponse<byte[]> retry = rawPost(SDXL, token, key);

        // then both answers are the same picture with the first call's figures, drawn and charged once
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body()).isEqualTo(png);
        assertThat(retry.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"));
        assertThat(retry.headers().firstValue("X-Tollgate-Request-Id"))
                .isEqualTo(first.headers().firstValue("X-Tollgate-Request-Id")).isPresent();
        assertThat(retry.headers().firstValue("X-Tollgate-Cost-Usd")).hasValue("0.0011088");
        assertThat(workersAi.getRequestCount() - before).isEqualTo(1);
        // 1 tile × 52,800 + 10 steps × 105,600 = 1,108,800 nano-USD, once
        assertThat(balance(token)).isEqualTo("0.9988912");
    }

    private java.net.http.HttpResponse<byte[]> rawPost(String model, String token, String key) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(app.baseUrl() + "/client/v4/accounts/any/ai/run/" + model))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a fox\",\"num_steps\":10}"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    }

    private static MockResponse helloAnswer() {
        return json200("{\"result\":{\"response\":\"Hello\",\"usage\":{\"prompt_tokens\":10,"
                + "\"completion_tokens\":2,\"total_tokens\":12}},\"success\":true,\"errors\":[]}");
    }

    private static MockResponse helloStream() {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"Hel\",\"p\":\"abc\"}\n\n"
                        + "data: {\"response\":\"lo\"}\n\n"
                        + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,"
                        + "\"total_tokens\":12}}\n\n"
                        + "data: [DONE]\n\n");
    }


    private static String key(String what) {
        return what + "-" + System.nanoTime();
    }

    private static List<String> events(String raw) {
        List<String> data = new ArrayList<>();
        for (String line : raw.split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring("data: ".length()));
            }
        }
        return data;
    }

    /** The text of an OpenAI chunk stream, joined. */
    private static String content(List<String> events) {
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : jsonEvents(events)) {
            for (JsonNode choice : chunk.path("choices")) {
                text.append(choice.path("delta").path("content").asText(""));
            }
        }
        return text.toString();
    }

    /** The text of a Tollgate or Workers AI stream ({"response":"…"} chunks), joined. */
    private static String tollgateText(List<String> events) {
        StringBuilder text = new StringBuilder();
        jsonEvents(events).forEach(chunk -> text.append(chunk.path("response").asText("")));
        return text.toString();
    }

    private static JsonNode usageChunk(List<String> events) {
        return jsonEvents(events).stream().filter(chunk -> chunk.hasNonNull("usage")).findFirst().orElseThrow();
    }

    private static String finishReason(List<String> events) {
        return jsonEvents(events).stream().map(c -> c.path("choices").path(0).path("finish_reason"))
                .filter(JsonNode::isTextual).map(JsonNode::asText).findFirst().orElse(null);
    }

    private static JsonNode lastJson(List<String> events) {
        List<JsonNode> chunks = jsonEvents(events);
        return chunks.get(chunks.size() - 1);
    }

    private static List<JsonNode> jsonEvents(List<String> events) {
        List<JsonNode> chunks = new ArrayList<>();
        for (String event : events) {
            if (!event.equals("[DONE]")) {
                try {
                    chunks.add(Http.JSON.readTree(event));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return chunks;
    }

    private String balance(String token) {
        return http.get("/api/credits/balance", token).body().get("balance_usd").asText();
    }

    private String fundedUser(String usd) {
        return funded(usd).token();
    }
}
