package dev.tollgate.web.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A plain HTTP client for end-to-end tests: what a real client sends, nothing of Spring's test machinery. */
public final class Http {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public record Answer(int status, JsonNode body, String raw, HttpResponse<String> response) {
        public String errorCode() {
            return body.path("error").path("code").asText(null);
        }

        public String errorMessage() {
            return body.path("error").path("message").asText(null);
        }

        @Override
        public String toString() {
            return status + " " + raw;
        }
    }

    public Answer get(String path, String token) {
        return send("GET", path, token, null, Map.of());
    }

    public Answer post(String path, String token, String json) {
        return send("POST", path, token, json, Map.of());
    }

    public Answer post(String path, String token, String json, Map<String, String> headers) {
        return send("POST", path, token, json, headers);
    }

    public Answer delete(String path, String token) {
        return send("DELETE", path, token, null, Map.of());
    }

    public Answer send(String method, String path, String token, String json, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (json != null) {
            all.put("Content-Type", "application/json");
        }
        return exchange(method, path, token, json, all);
    }

    /** A POST whose body goes as given, with this Content-Type, or with none at all when it is null (as curl can). */
    public Answer postAs(String path, String token, String body, String contentType) {
        return exchange("POST", path, token, body, contentType == null ? Map.of() : Map.of("Content-Type", contentType));
    }

    private Answer exchange(String method, String path, String token, String sent, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (token != null) {
            all.putIfAbsent("Authorization", "Bearer " + token);
        }
        all.forEach(request::header);
        request.method(method, sent == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(sent));
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = response.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(response.body());
            } catch (IOException notJson) {
                body = MissingNode.getInstance();
            }
            return new Answer(response.statusCode(), body, response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException("request failed: " + method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static String json(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        try {
            return JSON.writeValueAsString(map);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
