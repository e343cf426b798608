package dev.tollgate.web.faults;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A streamed answer is delivered while PostgreSQL is away, so its settlement cannot be stored when the stream ends.
 * The stream ends with an error event saying so; once the database is back, the charge is booked, once, rather
 * than left to lapse with the hold.
 */
class LateSettlementTest {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void outputDeliveredWhileTheDatabaseWasAwayIsChargedOnceItIsBack() throws Exception {
        String database = Storage.newPostgresDatabase();
        Map<String, String> properties = new HashMap<>(Storage.postgres(database, Storage.tempDir()));
        Matcher url = Pattern.compile("//([^/:]+):(\\d+)/").matcher(properties.get("spring.datasource.url"));
        assertThat(url.find()).isTrue();
        try (CuttableProxy proxy = new CuttableProxy(Integer.parseInt(url.group(2)));
             MockWebServer workersAi = new MockWebServer()) {
            workersAi.start(InetAddress.getByName("127.0.0.1"), 0);
            properties.put("spring.datasource.url", url.replaceFirst("//127.0.0.1:" + proxy.port() + "/"));
            properties.put("spring.datasource.hikari.connection-timeout", "2000");
            properties.put("CLOUDFLARE_API_BASE", "http://127.0.0.1:" + workersAi.getPort() + "/client/v4");
            properties.put("CLOUDFLARE_ACCOUNT_ID", "test-account");
            properties.put("CLOUDFLARE_API_KEY", "test-token-not-a-secret");
            try (RunningTollgate app = RunningTollgate.start(properties)) {
                // given a user with 1 USD, and a provider whose stream (10 in, 2 out) starts after a pause
                Http http = app.http;
                String admin = login(http, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
                String id = http.post("/api/auth/register", null, json("email", "late@example.com", "password",
                        "late-password")).body().get("id").asText();
                http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1"));
                String token = login(http, "late@example.com", "late-password");
                workersAi.enqueue(new MockResponse().setResponseCode(200)
                        .setHeader("Content-Type", "text/event-stream")
                        .setBodyDelay(1500, TimeUnit.MILLISECONDS)
                        .setBody("data: {\"response\":\"Hel\"}\n\ndata: {\"response\":\"lo\"}\n\n"
                                + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2,"
                                + "\"total_tokens\":12}}\n\ndata: [DONE]\n\n"));

                // when the database goes away after the hold was placed and comes back after the stream ended
                CompletableFuture<Http.Answer> stream = CompletableFuture.supplyAsync(() -> http.post(
                        "/api/ai/chat/stream", token, "{\"model\":\"" + MODEL + "\",\"max_tokens\":50,"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"));
                assertThat(workersAi.takeRequest(10, TimeUnit.SECONDS)).as("the provider was called").isNotNull();
                proxy.cut();
                Http.Answer streamed = stream.get(30, TimeUnit.SECONDS);
                proxy.restore();
                // and the stream that could not be settled ends with an error event saying why, not just stops
                assertThat(streamed.raw()).contains("Hel");
                String[] events = streamed.raw().lines().filter(l -> l.startsWith("data: ")).toArray(String[]::new);
                assertThat(events[events.length - 1]).as(streamed.raw()).contains("\"storage_unavailable\"");

                // then the charge is booked once: (10 × 282,000,000 + 2 × 827,000,000) / 1e6 = 4,474 nano-USD
                JsonNode balance = null;
                for (int i = 0; i < 120; i++) {
                    Http.Answer read = http.get("/api/credits/balance", token);
                    balance = read.body();
                    if (read.status() == 200 && "0".equals(balance.path("held_usd").asText())) {
                        break;
                    }
                    Thread.sleep(250);
                }
                assertThat(balance.path("held_usd").asText()).as("%s", balance).isEqualTo("0");
                assertThat(balance.path("balance_usd").asText()).isEqualTo("0.999995526");
                Thread.sleep(1000);
                assertThat(http.get("/api/credits/balance", token).body().path("balance_usd").asText())
                        .isEqualTo("0.999995526");
            }
        } finally {
            Storage.dropPostgresDatabase(database);
        }
    }

    private static String login(Http http, String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }
}
