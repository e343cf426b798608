package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.SocketPolicy;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager;
import org.junit.jupiter.api.Test;

/**
 * Holds whose calls never return are released by deadlines: the provider here accepts the requests and never
 * answers, and the hold timeout is two seconds. Deadlines are durable (db-scheduler in the ledger's database); the
 * second hold is served by the deadline the first one scheduled, which schedules the next when it fires (ADR 24).
 */
class HoldExpiryTest {

    @Test
    void holdsWhoseCallsNeverReturnAreReleasedByTheAccountsDeadlines() throws IOException, InterruptedException {
        MockWebServer stuck = new MockWebServer();
        stuck.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        stuck.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        stuck.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        Map<String, String> properties = new HashMap<>(Storage.embedded(Storage.tempDir()));
        properties.put("CLOUDFLARE_API_BASE", "http://127.0.0.1:" + stuck.getPort() + "/client/v4");
        properties.put("CLOUDFLARE_ACCOUNT_ID", "acc");
        properties.put("CLOUDFLARE_API_KEY", "token");
        properties.put("tollgate.hold-timeout-seconds", "2");
        properties.put("spring.lifecycle.timeout-per-shutdown-phase", "1s");
        try (RunningTollgate app = RunningTollgate.start(properties)) {
            assertThat(app.bean(DeadlineManager.class)).isInstanceOf(DbSchedulerDeadlineManager.class);
            Http http = app.http;
            String id = http.post("/api/auth/register", null, json("email", "stuck@example.com", "password", "stuck-pass"))
                    .body().get("id").asText();
            String admin = http.post("/api/auth/login", null,
                    json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                    .body().get("access_token").asText();
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1"));
            String token = http.post("/api/auth/login", null, json("email", "stuck@example.com", "password", "stuck-pass"))
                    .body().get("access_token").asText();

            // when two chats are sent a second apart and the provider never answers either
            String heldBefore = "0";
            for (int call = 0; call < 2; call++) {
                if (call > 0) {
                    Thread.sleep(1_000);
                }
                HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/ai/chat"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"@cf/meta/llama-3.1-8b-instruct\","
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello?\"}]}"))
                        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
                String held = heldBefore;
                for (int i = 0; i < 100 && held.equals(heldBefore); i++) {
                    held = http.get("/api/credits/balance", token).body().get("held_usd").asText();
                    Thread.sleep(20);
                }
                assertThat(held).as("hold %d was placed", call + 1).isNotEqualTo(heldBefore);
                heldBefore = held;
            }

            // then within their deadlines (2 s each) plus the scheduler's polling, both holds are gone, uncharged
            JsonNode balance = null;
            for (int i = 0; i < 150; i++) {
                balance = http.get("/api/credits/balance", token).body();
                if ("0".equals(balance.get("held_usd").asText())) {
                    break;
                }
                Thread.sleep(100);
            }
            assertThat(balance.get("held_usd").asText()).isEqualTo("0");
            assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
            JsonNode events = http.get("/api/admin/accounts/" + id + "/events", admin).body();
            int expired = 0;
            for (JsonNode event : events) {
                if (event.get("type").asText().equals("ReservationReleased")
                        && event.get("payload").get("expired").asBoolean()) {
                    expired++;
                }
            }
            assertThat(expired).as("holds released as expired").isEqualTo(2);
        } finally {
            stuck.shutdown();
        }
    }
}
