package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * What an operator points tools at: Prometheus metrics named tollgate_*, health with its components, request bodies
 * bounded with a 413 in the one error shape, and connections that a silent client cannot hold for long. Against a
 * fake Workers AI on 127.0.0.1, so the provider's reachability can be seen changing.
 */
class OperatorSurfaceTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String SETTLED_CHAT = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":136,"
            + "\"completion_tokens\":10,\"total_tokens\":146}},\"success\":true,\"errors\":[],\"messages\":[]}";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected Map<String, String> moreProperties() {
        // a short connection timeout to see a silent client cut off; Axon's metrics are off by default (ADR 21),
        // and the operator's switch turns them on
        return Map.of("server.tomcat.connection-timeout", "2s", "TOLLGATE_AXON_METRICS", "true");
    }

    @Test
    void prometheusCountsAChatsCostAndTokensByModelAndEveryNameStartsWithTollgate() {
        User ada = fundedUser("1");
        User bob = fundedUser("0");
        Scrape before = scrape();
        workersAi.enqueue(json200(SETTLED_CHAT));

        Http.Answer chat = http.post("/api/ai/chat", ada.token, CHAT);
        Http.Answer transfer = http.post("/api/credits/transfer", ada.token,
                json("to", bob.email, "amount_usd", "0.5"));
        Scrape after = scrape();

        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(transfer.status()).as(transfer.toString()).isEqualTo(200);
        assertThat(after.names()).isNotEmpty().allMatch(name -> name.startsWith("tollgate_"));
        String model = "model=\"" + MODEL + "\"";
        // (136 × 282,000,000 + 10 × 827,000,000) / 1e6 = 46,622 nano-USD, exactly what the chat answered
        assertThat(after.delta(before, "tollgate_cost_nano_usd_total", model)).isEqualTo(46_622);
        assertThat(after.delta(before, "tollgate_tokens_total", model, "direction=\"input\"", "source=\"provider\""))
                .isEqualTo(136);
        assertThat(after.delta(before, "tollgate_tokens_total", model, "direction=\"output\"")).isEqualTo(10);
        assertThat(after.delta(before, "tollgate_upstream_latency_seconds_count", model, "operation=\"chat\"",
                "outcome=\"ok\"", "provider=\"cloudflare\"")).isEqualTo(1);
        assertThat(after.delta(before, "tollgate_holds_ended_total", "outcome=\"settled\"")).isEqualTo(1);
        assertThat(after.delta(before, "tollgate_ledger_events_total", "type=\"TransferSent\"")).isEqualTo(1);
        assertThat(after.delta(before, "tollgate_requests_total", "surface=\"ai\"", "status=\"200\"")).isEqualTo(1);
        assertThat(after.value("tollgate_holds_active")).isGreaterThanOrEqualTo(0);
        assertThat(after.value("tollgate_projection_lag_events", "group=\"balances\"")).isGreaterThanOrEqualTo(0);
        assertThat(after.value("tollgate_command_conflicts_total", "outcome=\"retried\"")).isGreaterThanOrEqualTo(0);
        assertThat(after.value("tollgate_jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
        // Axon's own monitors (axon-micrometer): the command bus and each event processor
        assertThat(after.delta(before, "tollgate_commandBus_successCounter_total")).isPositive();
        assertThat(after.names()).contains("tollgate_read_models_ingestedCounter_total", "tollgate_read_models_latency");
        // and no label names a class (Spring tags its start-up timers with the main class)
        assertThat(http.get("/actuator/prometheus", null).raw()).doesNotContain("dev.tollgate.", "main_application_class");
    }

    @Test
    void healthNamesItsComponentsWithoutCredentialsAndLeaksNoInternals() {
        Http.Answer health = http.get("/actuator/health", null);
        Http.Answer readiness = http.get("/actuator/health/readiness", null);

        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        assertThat(health.body().get("status").asText()).isEqualTo("UP");
        JsonNode components = health.body().get("components");
        assertThat(components.get("db").get("status").asText()).isEqualTo("UP");
        assertThat(components.get("eventStore").get("status").asText()).isEqualTo("UP");
        assertThat(components.get("eventStore").get("details").get("head_position").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(components.get("provider").get("details").get("provider").asText()).isEqualTo("cloudflare");
        assertThat(components.get("projections").get("status").asText()).isEqualTo("UP");
        assertThat(components.get("projections").get("details").get("balances").has("lag")).isTrue();
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.body().get("components").has("eventStore")).isTrue();
        assertThat(readiness.body().get("components").has("provider")).isFalse();
        assertThat(health.raw()).doesNotContain("Exception", "org.", "java.", "test-token-not-a-secret");
    }

    @Test
    void anUnreachableProviderDegradesItsComponentButTollgateStaysUp() {
        User ada = fundedUser("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
        }

        Http.Answer failed = http.post("/api/ai/chat", ada.token, CHAT);
        Http.Answer whileDown = http.get("/actuator/health", null);
        workersAi.enqueue(json200(SETTLED_CHAT));
        Http.Answer recovered = http.post("/api/ai/chat", ada.token, CHAT);
        Http.Answer afterwards = http.get("/actuator/health", null);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(whileDown.status()).isEqualTo(200);
        assertThat(whileDown.body().get("status").asText()).isEqualTo("UP");
        JsonNode provider = whileDown.body().get("components").get("provider");
        assertThat(provider.get("status").asText()).isEqualTo("DEGRADED");
        assertThat(provider.get("details").get("last_failure").asText()).isEqualTo("upstream");
        assertThat(recovered.status()).isEqualTo(200);
        assertThat(afterwards.body().get("components").get("provider").get("status").asText()).isEqualTo("UP");
    }

    @Test
    void onlyHealthAndPrometheusAreOpenOfTheActuator() {
        User ada = fundedUser("0");

        assertThat(http.get("/actuator/prometheus", null).status()).isEqualTo(200);
        assertThat(http.get("/actuator/info", null).status()).isEqualTo(401);
        assertThat(http.get("/actuator/info", ada.token).status()).isEqualTo(403);
        assertThat(http.get("/actuator/info", admin).status()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIsA413WithOrWithoutContentLengthAndMovesNoMoney() throws Exception {
        User ada = fundedUser("1");
        String huge = json("to", "bob@example.com", "amount_usd", "0.5", "note", "x".repeat(1_500_000));

        HttpResponse<String> declared = post("/api/credits/transfer", ada.token,
                HttpRequest.BodyPublishers.ofString(huge));
        HttpResponse<String> chunked = post("/api/credits/transfer", ada.token, chunked(huge));
        HttpResponse<String> openAi = post("/v1/embeddings", ada.token, chunked(huge));

        for (HttpResponse<String> answer : List.of(declared, chunked)) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
            JsonNode error = Http.JSON.readTree(answer.body()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
            assertThat(error.get("request_id").asText()).isEqualTo(answer.headers().firstValue("X-Request-Id").get());
        }
        assertThat(openAi.statusCode()).isEqualTo(413);
        assertThat(Http.JSON.readTree(openAi.body()).get("error").get("type").asText())
                .isEqualTo("invalid_request_error");
        assertThat(http.get("/api/credits/balance", ada.token).body().get("balance_usd").asText()).isEqualTo("1");
    }

    @Test
    void aChunkedBodyWithinTheLimitIsReadAsUsual() throws Exception {
        User ada = fundedUser("1");
        User bob = fundedUser("0");

        HttpResponse<String> transfer = post("/api/credits/transfer", ada.token,
                chunked(json("to", bob.email, "amount_usd", "0.25")));

        assertThat(transfer.statusCode()).as(transfer.body()).isEqualTo(200);
        assertThat(Http.JSON.readTree(transfer.body()).get("balance_usd").asText()).isEqualTo("0.75");
    }

    @Test
    void aRefusedBodyIsLoggedWithItsRequestId() throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        HttpResponse<String> refused;
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            refused = post("/api/auth/login", null, HttpRequest.BodyPublishers.ofString("x".repeat(1_200_000)));
        } finally {
            System.setOut(original);
        }

        String requestId = refused.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("refused a request body")))
                .anyMatch(line -> line.contains("[" + requestId + "]"));
    }

    @Test
    void clientsThatStallAreCutOffAndOthersAreStillServed() throws Exception {
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket("127.0.0.1", port());
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                if (i % 2 == 0) {
                    // half the request line, then nothing
                    out.write("POST /api/auth/login HT".getBytes(StandardCharsets.US_ASCII));
                } else {
                    // a body that promises 100 bytes and sends 10
                    out.write(("POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100\r\n\r\n{\"email\":").getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
                stalled.add(socket);
            }
            long started = System.nanoTime();
            Http.Answer meanwhile = http.get("/actuator/health", null);
            assertThat(meanwhile.status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));

            for (Socket socket : stalled) {
                assertThat(drainsWithin(socket.getInputStream())).as("the server let go of a stalled client").isTrue();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** True when the server answered and/or closed the connection before the socket's read timeout. */
    private static boolean drainsWithin(InputStream in) throws IOException {
        try {
            byte[] buffer = new byte[4096];
            while (in.read(buffer) != -1) {
                // an error answer may come first; what matters is that the connection ends
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private record User(String email, String token) {
    }

    private User fundedUser(String usd) {
        String email = "ops-" + System.nanoTime() + "@example.com";
        String id = http.post("/api/auth/register", null, json("email", email, "password", "operator-pass"))
                .body().get("id").asText();
        if (!usd.equals("0")) {
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", usd));
        }
        return new User(email, http.post("/api/auth/login", null, json("email", email, "password", "operator-pass"))
                .body().get("access_token").asText());
    }

    private int port() {
        return URI.create(app.baseUrl()).getPort();
    }

    private HttpResponse<String> post(String path, String token, HttpRequest.BodyPublisher body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(app.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json").POST(body);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A body of unknown length: the client sends it chunked, with no Content-Length. */
    private static HttpRequest.BodyPublisher chunked(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes));
    }


    private Scrape scrape() {
        Http.Answer answer = http.get("/actuator/prometheus", null);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return new Scrape(answer.raw());
    }

    /** The Prometheus text format, read as (name, labels) → value. */
    private record Scrape(String text) {
        private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");

        List<String> names() {
            return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> {
                Matcher m = SAMPLE.matcher(l);
                return m.matches() ? m.group(1) : l;
            }).toList();
        }

        /** The sum over every sample of this name whose labels include all the given ones; NaN when none. */
        double value(String name, String... labels) {
            double sum = 0;
            boolean found = false;
            for (String line : text.lines().toList()) {
                Matcher m = SAMPLE.matcher(line);
                if (!m.matches() || !m.group(1).equals(name)) {
                    continue;
                }
                String present = m.group(3) == null ? "" : m.group(3);
                if (List.of(labels).stream().allMatch(present::contains)) {
                    sum += Double.parseDouble(m.group(4));
                    found = true;
                }
            }
            return found ? sum : Double.NaN;
        }

        long delta(Scrape before, String name, String... labels) {
            double was = before.value(name, labels);
            return Math.round(value(name, labels) - (Double.isNaN(was) ? 0 : was));
        }
    }
}
