package dev.tollgate.bench;

import static dev.tollgate.web.e2e.Http.json;

import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

/**
 * bench/gateway: the latency Tollgate adds to a metered chat over calling the same fake Workers AI directly, at
 * concurrency 1, 16 and 64, on the embedded default, and metered calls per second. Same machine, same run.
 */
public final class GatewayBench {
    private static final int CALLS = Integer.getInteger("bench.calls", 1_000);
    private static final String CHAT = "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":64,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String ANSWER = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":16,"
            + "\"completion_tokens\":4,\"total_tokens\":20}},\"success\":true,\"errors\":[],\"messages\":[]}";

    public static void main(String[] args) throws Exception {
        MockWebServer upstream = new MockWebServer();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER);
            }
        });
        upstream.start(java.net.InetAddress.getByName("127.0.0.1"), 0);
        Map<String, String> properties = new HashMap<>(Storage.embedded(Storage.tempDir()));
        String base = "http://127.0.0.1:" + upstream.getPort() + "/client/v4";
        properties.put("CLOUDFLARE_API_BASE", base);
        properties.put("CLOUDFLARE_ACCOUNT_ID", "bench");
        properties.put("CLOUDFLARE_API_KEY", "bench-token");
        properties.put("logging.level.root", "WARN");
        try (RunningTollgate app = RunningTollgate.start(properties)) {
            String token = fundedUser(app.http);
            HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(64)).build();
            HttpRequest direct = HttpRequest.newBuilder(URI.create(base + "/accounts/bench/ai/run/@cf/meta/llama-3.1-8b-instruct"))
                    .header("Authorization", "Bearer bench-token").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).timeout(Duration.ofSeconds(30)).build();
            HttpRequest metered = HttpRequest.newBuilder(URI.create(app.baseUrl() + "/api/ai/chat"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(CHAT)).timeout(Duration.ofSeconds(30)).build();
            run(client, direct, 16, 500);
            run(client, metered, 16, 500); // warm-up
            System.out.println();
            System.out.printf("%-12s %8s %14s %14s %14s %14s %12s%n", "concurrency", "calls", "direct p50 ms",
                    "direct p99 ms", "metered p50 ms", "metered p99 ms", "metered/s");
            for (int concurrency : new int[] {1, 16, 64}) {
                Result d = run(client, direct, concurrency, CALLS);
                Result m = run(client, metered, concurrency, CALLS);
                System.out.printf("%-12d %8d %14.2f %14.2f %14.2f %14.2f %12.0f%n", concurrency, CALLS, d.p50, d.p99,
                        m.p50, m.p99, m.perSecond);
            }
            System.out.printf("(added p50/p99 = metered − direct; embedded default; %d cores)%n",
                    Runtime.getRuntime().availableProcessors());
        } finally {
            upstream.shutdown();
        }
        System.exit(0);
    }

    record Result(double p50, double p99, double perSecond, int failures) {
    }

    private static Result run(HttpClient client, HttpRequest request, int concurrency, int total) throws Exception {
        Load.Measured m = Load.run(concurrency, total,
                random -> client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
        if (m.failures() > 0) {
            System.out.println("failed calls: " + m.failures());
        }
        return new Result(m.p50(), m.p99(), m.perSecond(), m.failures());
    }

    private static String fundedUser(Http http) {
        String id = http.post("/api/auth/register", null, json("email", "bench@example.com", "password", "bench-password"))
                .body().get("id").asText();
        String admin = http.post("/api/auth/login", null,
                json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                .body().get("access_token").asText();
        http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "100000"));
        return http.post("/api/auth/login", null, json("email", "bench@example.com", "password", "bench-password"))
                .body().get("access_token").asText();
    }

    private GatewayBench() {
    }
}
