package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

/**
 * Stopping Tollgate (SIGTERM, or closing the application) while a metered call is waiting on the provider: the call
 * finishes, the caller gets the answer, and the hold is settled — nothing is left held when it starts again. The
 * app runs with JSON logs here, which must still carry the request id.
 */
class GracefulShutdownTest {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";

    @Test
    void aCallInFlightWhenTheAppStopsIsAnsweredAndSettled() throws Exception {
        Path data = Storage.tempDir();
        MockWebServer workersAi = new MockWebServer();
        workersAi.start(InetAddress.getByName("127.0.0.1"), 0);
        Map<String, String> properties = new HashMap<>(Storage.embedded(data));
        properties.put("CLOUDFLARE_API_BASE", "http://127.0.0.1:" + workersAi.getPort() + "/client/v4");
        properties.put("CLOUDFLARE_ACCOUNT_ID", "test-account");
        properties.put("CLOUDFLARE_API_KEY", "test-token-not-a-secret");
        properties.put("TOLLGATE_LOG_FORMAT", "json");
        RunningTollgate app = RunningTollgate.start(properties);
        String token;
        String refusedRequestId;
        String logs;
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            token = fundedUser(app.http, "1");
            System.setOut(new PrintStream(new TeeStream(console, captured), true, StandardCharsets.UTF_8));
            refusedRequestId = app.http.post("/api/auth/login", null, "\"" + "x".repeat(1_100_000) + "\"")
                    .response().headers().firstValue("X-Request-Id").orElseThrow();
            workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                    .setBody("{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":136,"
                            + "\"completion_tokens\":10,\"total_tokens\":146}},\"success\":true,\"errors\":[]}")
                    .setBodyDelay(2, TimeUnit.SECONDS));

            CompletableFuture<Http.Answer> chat = CompletableFuture.supplyAsync(() -> app.http.post("/api/ai/chat",
                    token, CHAT));
            assertThat(workersAi.takeRequest(10, TimeUnit.SECONDS)).as("the call reached the provider").isNotNull();
            app.close(); // graceful: returns once the call in flight has finished
            Http.Answer answered = chat.get(30, TimeUnit.SECONDS);

            assertThat(answered.status()).as(answered.toString()).isEqualTo(200);
            assertThat(answered.body().get("cost_usd").asText()).isEqualTo("0.000046622");
        } finally {
            System.setOut(console);
            logs = captured.toString(StandardCharsets.UTF_8);
            app.close();
            workersAi.shutdown();
            // Spring Boot hands the format to Logback as a system property, which outlives the app in this JVM.
            System.clearProperty("CONSOLE_LOG_STRUCTURED_FORMAT");
        }

        try (RunningTollgate again = RunningTollgate.start(Storage.embedded(data))) {
            String tokenAgain = again.http.post("/api/auth/login", null,
                    json("email", email, "password", "shutdown-pass")).body().get("access_token").asText();
            Http.Answer balance = again.http.get("/api/credits/balance", tokenAgain);

            assertThat(balance.body().get("balance_usd").asText()).isEqualTo("0.999953378");
            assertThat(balance.body().get("held_usd").asText()).isEqualTo("0");
        }
        assertThat(logs.lines().filter(line -> line.contains("refused a request body")))
                .isNotEmpty()
                .allMatch(line -> line.startsWith("{") && line.contains("\"request_id\":\"" + refusedRequestId + "\""));
    }

    private String email;

    /** Registers and funds a user (remembered in {@link #email}) and returns a login token. */
    private String fundedUser(Http http, String usd) {
        String admin = http.post("/api/auth/login", null,
                json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                .body().get("access_token").asText();
        email = "shutdown-" + System.nanoTime() + "@example.com";
        String id = http.post("/api/auth/register", null, json("email", email, "password", "shutdown-pass"))
                .body().get("id").asText();
        http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", usd));
        return http.post("/api/auth/login", null, json("email", email, "password", "shutdown-pass"))
                .body().get("access_token").asText();
    }
}
