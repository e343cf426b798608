package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;

import java.io.IOException;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * The real application on the embedded default, with Cloudflare credentials pointing it at a fake Workers AI
 * (MockWebServer on 127.0.0.1) that each test scripts with {@code workersAi.enqueue(...)}. One app per test class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BehindFakeWorkersAi {
    protected final MockWebServer workersAi = new MockWebServer();
    protected RunningTollgate app;
    protected Http http;
    protected String admin;

    @BeforeAll
    void startBehindTheFake() throws IOException {
        workersAi.start(InetAddress.getByName("127.0.0.1"), 0);
        Map<String, String> properties = new HashMap<>(Storage.embedded(Storage.tempDir()));
        properties.put("CLOUDFLARE_API_BASE", "http://127.0.0.1:" + workersAi.getPort() + "/client/v4");
        properties.put("CLOUDFLARE_ACCOUNT_ID", "test-account");
        properties.put("CLOUDFLARE_API_KEY", "test-token-not-a-secret");
        properties.putAll(moreProperties());
        app = RunningTollgate.start(properties);
        http = app.http;
        admin = login(RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
    }

    /** Settings a test class adds to (or overrides in) the app's configuration. */
    protected Map<String, String> moreProperties() {
        return Map.of();
    }

    @AfterAll
    void stopBoth() throws IOException {
        app.close();
        workersAi.shutdown();
    }

    @BeforeEach
    void drainRecordedRequests() throws InterruptedException {
        while (workersAi.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // forget what earlier tests sent
        }
    }

    protected String login(String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }

    /** A new user whose account the admin funded with {@code usd}: its id and login token. */
    protected Funded funded(String usd) {
        String email = "user-" + System.nanoTime() + "@example.com";
        String id = http.post("/api/auth/register", null, json("email", email, "password", "gateway-pass"))
                .body().get("id").asText();
        http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", usd));
        return new Funded(id, login(email, "gateway-pass"));
    }

    protected record Funded(String id, String token) {
    }

    /**
     * {@code calls} chats sent at once with one credential; each must run (200) or be refused as over a budget or
     * cap (402 {@code budget_exceeded}). Answers how many ran.
     */
    protected int burstOfChats(String credential, String body, int calls) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(calls);
        try {
            java.util.List<java.util.concurrent.Future<Http.Answer>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < calls; i++) {
                sent.add(pool.submit(() -> http.post("/api/ai/chat", credential, body)));
            }
            int ok = 0;
            for (java.util.concurrent.Future<Http.Answer> call : sent) {
                Http.Answer answer = call.get(60, TimeUnit.SECONDS);
                if (answer.status() == 200) {
                    ok++;
                } else {
                    org.assertj.core.api.Assertions.assertThat(answer.status()).as(answer.toString()).isEqualTo(402);
                    org.assertj.core.api.Assertions.assertThat(answer.errorCode()).isEqualTo("budget_exceeded");
                }
            }
            return ok;
        } finally {
            pool.shutdown();
        }
    }

    protected static MockResponse json200(String body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
    }
}
