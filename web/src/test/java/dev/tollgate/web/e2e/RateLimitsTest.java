package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import javax.net.SocketFactory;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Rate limits as a client meets them, on the offline provider: 3 AI requests per minute per user, 2 per API key,
 * 2,000 tokens per minute; 10 failed logins and 20 registrations per minute per address. Each test uses users of
 * its own; the address tests come from loopback addresses of their own (127.0.0.2, 127.0.0.3).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RateLimitsTest {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = json("model", MODEL, "max_tokens", 16,
            "messages", java.util.List.of(Map.of("role", "user", "content", "Why is pizza so good?")));

    private RunningTollgate app;
    private Http http;
    private String admin;

    @BeforeAll
    void start() {
        Map<String, String> properties = new HashMap<>(Storage.embedded(Storage.tempDir()));
        properties.put("CLOUDFLARE_ACCOUNT_ID", "");
        properties.put("CLOUDFLARE_API_KEY", "");
        properties.put("tollgate.rate-limit.requests-per-minute", "3");
        properties.put("tollgate.rate-limit.api-key-requests-per-minute", "2");
        properties.put("tollgate.rate-limit.tokens-per-minute", "2000");
        properties.put("tollgate.rate-limit.api-key-tokens-per-minute", "2000");
        properties.put("tollgate.rate-limit.login-failures-per-minute", "10");
        properties.put("tollgate.rate-limit.registrations-per-minute", "20");
        app = RunningTollgate.start(properties);
        http = app.http;
        admin = login(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void theFourthAiRequestInAMinuteIsRefusedWithRetryAfterAndChargesNothing() {
        String user = fundedUser();
        for (int i = 1; i <= 3; i++) {
            Http.Answer chat = http.post("/api/ai/chat", user, CHAT);
            assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
            assertThat(header(chat, "X-RateLimit-Limit")).isEqualTo("3");
            assertThat(header(chat, "X-RateLimit-Remaining")).isEqualTo(String.valueOf(3 - i));
            assertThat(Long.parseLong(header(chat, "X-RateLimit-Reset"))).isBetween(1L, 60L);
        }
        JsonNode before = http.get("/api/credits/balance", user).body();

        Http.Answer refused = http.post("/api/ai/chat", user, CHAT);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("rate_limited");
        assertThat(refused.body().at("/error/request_id").asText()).startsWith("req_");
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);
        assertThat(header(refused, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(header(refused, "X-RateLimit-Limit")).isEqualTo("3");
        JsonNode after = http.get("/api/credits/balance", user).body();
        assertThat(after.get("balance_usd").asText()).isEqualTo(before.get("balance_usd").asText());
        assertThat(after.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void aRetryWithItsIdempotencyKeyIsAnsweredFromTheFirstCallEvenWhenTheMinutesRequestsAreUsedUp() {
        // given a user who made a call with an Idempotency-Key, then used up the minute's other requests
        String user = fundedUser();
        Map<String, String> key = Map.of("Idempotency-Key", "limited-retry");
        Http.Answer first = http.post("/api/ai/chat", user, CHAT, key);
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            assertThat(http.post("/api/ai/chat", user, CHAT).status()).isEqualTo(200);
        }
        assertThat(http.post("/api/ai/chat", user, CHAT).status()).isEqualTo(429);
        JsonNode before = http.get("/api/credits/balance", user).body();

        // when the first call is retried with its key
        Http.Answer retry = http.post("/api/ai/chat", user, CHAT, key);

        // then it is answered as the first was, uncounted and not charged again, with the headers as they stand
        assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
        assertThat(retry.body().get("request_id").asText()).isEqualTo(first.body().get("request_id").asText());
        assertThat(header(retry, "X-RateLimit-Remaining")).isEqualTo("0");
        assertThat(http.get("/api/credits/balance", user).body().get("balance_usd").asText())
                .isEqualTo(before.get("balance_usd").asText());
        // and a new key is still refused: a retry's pass is for the call it names only
        Http.Answer fresh = http.post("/api/ai/chat", user, CHAT, Map.of("Idempotency-Key", "limited-new"));
        assertThat(fresh.status()).as(fresh.toString()).isEqualTo(429);
    }

    @Test
    void everyMeteredSurfaceAnswersWithTheRateLimitHeaders() {
        String key = apiKey(fundedUser());
        String otherKey = apiKey(fundedUser());
        String streamer = fundedUser();

        Http.Answer openAi = http.post("/v1/chat/completions", key, CHAT);
        Http.Answer cloudflare = http.post("/client/v4/accounts/any/ai/run/" + MODEL, otherKey,
                json("messages", java.util.List.of(Map.of("role", "user", "content", "Hello"))));
        Http.Answer stream = http.post("/api/ai/chat/stream", streamer, CHAT);

        for (Http.Answer answer : java.util.List.of(openAi, cloudflare, stream)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(header(answer, "X-RateLimit-Limit")).as(answer.toString()).isNotNull();
            assertThat(header(answer, "X-RateLimit-Remaining")).isNotNull();
            assertThat(header(answer, "X-RateLimit-Reset")).isNotNull();
            assertThat(header(answer, "X-RateLimit-Limit-Tokens")).isEqualTo("2000");
        }
        assertThat(header(openAi, "X-RateLimit-Limit")).as("an API key's own limit is the tighter").isEqualTo("2");
        assertThat(header(stream, "X-RateLimit-Remaining")).isEqualTo("2");
        assertThat(stream.raw()).contains("[DONE]");
    }

    @Test
    void theDropInSurfacesRefuseInTheirOwnErrorShapes() {
        String key = apiKey(fundedUser());
        http.post("/v1/chat/completions", key, CHAT);
        http.post("/v1/chat/completions", key, CHAT);

        Http.Answer openAi = http.post("/v1/chat/completions", key, CHAT);
        Http.Answer cloudflare = http.post("/client/v4/accounts/any/ai/run/" + MODEL, key,
                json("messages", java.util.List.of(Map.of("role", "user", "content", "Hello"))));

        assertThat(openAi.status()).isEqualTo(429);
        assertThat(openAi.body().at("/error/type").asText()).isEqualTo("rate_limit_error");
        assertThat(openAi.body().at("/error/code").asText()).isEqualTo("rate_limited");
        assertThat(header(openAi, "Retry-After")).isNotNull();
        assertThat(cloudflare.status()).isEqualTo(429);
        assertThat(cloudflare.body().get("success").asBoolean()).isFalse();
        assertThat(cloudflare.body().at("/errors/0/code").asInt()).isEqualTo(9429);
        assertThat(header(cloudflare, "Retry-After")).isNotNull();
        assertThat(header(cloudflare, "X-RateLimit-Remaining")).isEqualTo("0");
    }

    @Test
    void aStreamPastTheLimitIsA429InJsonWithRetryAfterEvenForAnSseClient() {
        // given a user who has spent this minute's three calls
        String user = fundedUser();
        for (int i = 0; i < 3; i++) {
            http.post("/api/ai/chat", user, CHAT);
        }
        JsonNode before = http.get("/api/credits/balance", user).body();

        // when they ask for a stream as SSE clients do, with Accept: text/event-stream
        Http.Answer refused = http.post("/api/ai/chat/stream", user, CHAT, Map.of("Accept", "text/event-stream"));

        // then the refusal is the rate limit's own 429, as JSON, with its wait, and nothing was held
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("rate_limited");
        assertThat(header(refused, "Content-Type")).startsWith("application/json");
        assertThat(Long.parseLong(header(refused, "Retry-After"))).isBetween(1L, 60L);
        JsonNode after = http.get("/api/credits/balance", user).body();
        assertThat(after.get("balance_usd").asText()).isEqualTo(before.get("balance_usd").asText());
        assertThat(after.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void anApiKeyHasALimitOfItsOwnAndItsCallsCountAgainstItsUser() {
        String user = fundedUser();
        String first = apiKey(user);
        String second = apiKey(user);
        assertThat(http.post("/api/ai/chat", first, CHAT).status()).isEqualTo(200);
        assertThat(http.post("/api/ai/chat", first, CHAT).status()).isEqualTo(200);

        Http.Answer keyRefused = http.post("/api/ai/chat", first, CHAT);
        Http.Answer withLogin = http.post("/api/ai/chat", user, CHAT);
        Http.Answer otherKey = http.post("/api/ai/chat", second, CHAT);

        assertThat(keyRefused.status()).isEqualTo(429);
        assertThat(keyRefused.body().at("/error/message").asText()).contains("API key");
        assertThat(withLogin.status()).as("the user had used 2 of 3").isEqualTo(200);
        assertThat(otherKey.status()).as("the user has used all 3").isEqualTo(429);
        assertThat(otherKey.body().at("/error/message").asText()).contains("user");
        assertThat(http.post("/api/ai/chat", fundedUser(), CHAT).status()).as("another user").isEqualTo(200);
    }

    @Test
    void moneyMovesAndTheModelListAreNotLimited() {
        String user = fundedUser();
        String friend = "friend-" + System.nanoTime() + "@example.com";
        http.post("/api/auth/register", null, json("email", friend, "password", "friend-pass"));
        for (int i = 0; i < 3; i++) {
            http.post("/api/ai/chat", user, CHAT);
        }
        assertThat(http.post("/api/ai/chat", user, CHAT).status()).isEqualTo(429);

        for (int i = 0; i < 6; i++) {
            Http.Answer transfer = http.post("/api/credits/transfer", user,
                    json("to", friend, "amount_usd", "0.01"));
            assertThat(transfer.status()).as(transfer.toString()).isEqualTo(200);
        }
        for (int i = 0; i < 6; i++) {
            assertThat(http.get("/api/ai/models", user).status()).isEqualTo(200);
        }
    }

    @Test
    void tokensSettledPastTheLimitRefuseTheNextCall() {
        String user = fundedUser();
        String longPrompt = "Tell me about pizza. ".repeat(500); // about 2,500 tokens
        Http.Answer big = http.post("/api/ai/chat", user, json("model", MODEL, "max_tokens", 16,
                "messages", java.util.List.of(Map.of("role", "user", "content", longPrompt))));
        assertThat(big.status()).as(big.toString()).isEqualTo(200);
        assertThat(big.body().at("/usage/total_tokens").asLong()).isGreaterThan(2000);

        Http.Answer next = http.post("/api/ai/chat", user, CHAT);

        assertThat(next.status()).as(next.toString()).isEqualTo(429);
        assertThat(next.errorCode()).isEqualTo("rate_limited");
        assertThat(next.body().at("/error/message").asText()).contains("2000 tokens per minute");
        assertThat(header(next, "X-RateLimit-Remaining-Tokens")).isEqualTo("0");
        assertThat(Long.parseLong(header(next, "Retry-After"))).isBetween(1L, 60L);
    }

    @Test
    void theEleventhLoginAfterTenFailuresFromOneAddressIsRefusedWhileOtherAddressesSignIn() throws IOException {
        String email = "guessed-" + System.nanoTime() + "@example.com";
        http.post("/api/auth/register", null, json("email", email, "password", "right-password"));
        OkHttpClient fromElsewhere = clientFrom("127.0.0.2");
        for (int i = 0; i < 10; i++) {
            assertThat(post(fromElsewhere, "/api/auth/login", json("email", email, "password", "wrong-" + i)).status())
                    .isEqualTo(401);
        }

        Reply eleventh = post(fromElsewhere, "/api/auth/login", json("email", email, "password", "right-password"));

        assertThat(eleventh.status()).as(eleventh.toString()).isEqualTo(429);
        assertThat(eleventh.errorCode()).isEqualTo("rate_limited");
        assertThat(Long.parseLong(eleventh.headers().get("Retry-After"))).isBetween(1L, 60L);
        assertThat(http.post("/api/auth/login", null, json("email", email, "password", "right-password")).status())
                .as("from 127.0.0.1").isEqualTo(200);
        String neighbour = "neighbour-" + System.nanoTime() + "@example.com";
        http.post("/api/auth/register", null, json("email", neighbour, "password", "neighbour-pass"));
        assertThat(post(fromElsewhere, "/api/auth/login", json("email", neighbour, "password", "neighbour-pass"))
                .status()).as("another account from the same address is not locked out").isEqualTo(200);
    }

    @Test
    void registrationsPastTheLimitFromOneAddressAreRefused() throws IOException {
        OkHttpClient fromElsewhere = clientFrom("127.0.0.3");
        for (int i = 0; i < 20; i++) {
            Reply created = post(fromElsewhere, "/api/auth/register",
                    json("email", "many-" + i + "-" + System.nanoTime() + "@example.com", "password", "many-passwords"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }

        Reply refused = post(fromElsewhere, "/api/auth/register",
                json("email", "one-more-" + System.nanoTime() + "@example.com", "password", "many-passwords"));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.errorCode()).isEqualTo("rate_limited");
        assertThat(refused.headers().get("Retry-After")).isNotNull();
    }

    private static String header(Http.Answer answer, String name) {
        return answer.response().headers().firstValue(name).orElse(null);
    }

    private String login(String email, String password) {
        Http.Answer answer = http.post("/api/auth/login", null, json("email", email, "password", password));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.body().get("access_token").asText();
    }

    private String fundedUser() {
        String email = "limited-" + System.nanoTime() + "@example.com";
        Http.Answer created = http.post("/api/auth/register", null, json("email", email, "password", "limited-pass"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        http.post("/api/admin/credits/deposit", admin, json("user_id", created.body().get("id").asText(),
                "amount_usd", "5"));
        return login(email, "limited-pass");
    }

    private String apiKey(String token) {
        Http.Answer created = http.post("/api/auth/api-keys", token, json("name", "limited"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.body().get("key").asText();
    }

    /** A client whose connections leave from another loopback address: another client address to the server. */
    private static OkHttpClient clientFrom(String address) throws IOException {
        InetAddress local = InetAddress.getByName(address);
        SocketFactory bound = new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress(local, 0));
                return socket;
            }

            @Override
            public Socket createSocket(String host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }
        };
        return new OkHttpClient.Builder().socketFactory(bound).build();
    }

    /** What a client on another address saw. */
    private record Reply(int status, JsonNode body, okhttp3.Headers headers) {
        String errorCode() {
            return body.path("error").path("code").asText(null);
        }
    }

    private Reply post(OkHttpClient client, String path, String body) throws IOException {
        Request request = new Request.Builder().url(app.baseUrl() + path)
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
        try (Response response = client.newCall(request).execute()) {
            String raw = response.body() == null ? "" : response.body().string();
            JsonNode parsed = raw.isEmpty() ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
                    : Http.JSON.readTree(raw);
            return new Reply(response.code(), parsed, response.headers());
        }
    }
}
