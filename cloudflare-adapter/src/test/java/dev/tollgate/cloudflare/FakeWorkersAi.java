package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A fake Workers AI on 127.0.0.1 that answers in exactly the format of the Workers AI reference (envelope,
 * event-stream chunks, error envelope), plus the client under test pointed at it with short timeouts.
 */
final class FakeWorkersAi implements AutoCloseable {

    static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
    static final String TOKEN = "tok-SECRET-7f3a9c";
    static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    static final String RUN_PATH = "/client/v4/accounts/" + ACCOUNT + "/ai/run/" + MODEL;

    /** Backoff in milliseconds rather than hundreds of them, so retry tests stay fast. */
    static final Backoff QUICK_BACKOFF = new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), () -> 0.5);

    private static final ObjectMapper JSON = new ObjectMapper();

    final MockWebServer server = new MockWebServer();

    FakeWorkersAi() {
        try {
            server.start(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new IllegalStateException("the fake Workers AI could not start", e);
        }
    }

    CloudflareSettings settings() {
        return new CloudflareSettings(server.url("/client/v4").toString(), ACCOUNT, TOKEN,
                Duration.ofSeconds(1), Duration.ofMillis(400), Duration.ofSeconds(3), 2, Duration.ofMinutes(5));
    }

    CloudflareWorkersAi client() {
        return client(settings());
    }

    CloudflareWorkersAi client(CloudflareSettings settings) {
        return new CloudflareWorkersAi(settings, java.time.Clock.systemUTC(), QUICK_BACKOFF);
    }

    void answer(MockResponse response) {
        server.enqueue(response);
    }

    /** {@code {"result":{"response":…,"usage":…},"success":true,"errors":[],"messages":[]}} */
    static MockResponse envelope(String response, String usageJson) {
        String usage = usageJson == null ? "" : ",\"usage\":" + usageJson;
        return json(200, "{\"result\":{\"response\":" + quote(response) + ",\"tool_calls\":[]" + usage
                + "},\"success\":true,\"errors\":[],\"messages\":[]}");
    }

    static MockResponse error(int status, Integer code, String message) {
        if (code == null) {
            return new MockResponse().setResponseCode(status);
        }
        return json(status, "{\"errors\":[{\"message\":" + quote(message) + ",\"code\":" + code
                + "}],\"success\":false,\"result\":{},\"messages\":[]}");
    }

    static MockResponse json(int status, String body) {
        return new MockResponse().setResponseCode(status).setHeader("Content-Type", "application/json")
                .setBody(body);
    }

    /** Each chunk becomes {@code data: <chunk>} followed by a blank line, as Cloudflare sends them. */
    static MockResponse eventStream(String... chunks) {
        StringBuilder body = new StringBuilder();
        for (String chunk : chunks) {
            body.append("data: ").append(chunk).append("\n\n");
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody(body.toString());
    }

    static String usage(long prompt, long completion) {
        return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                + (prompt + completion) + "}";
    }

    RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = server.takeRequest(2, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the fake Workers AI received no request");
        }
        return request;
    }

    static JsonNode bodyOf(RecordedRequest request) throws IOException {
        return JSON.readTree(request.getBody().readUtf8());
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
