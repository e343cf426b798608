package dev.tollgate.cloudflare;

import java.net.InetSocketAddress;
import java.net.Proxy;
import okhttp3.Connection;
import dev.tollgate.domain.metering.EmbeddingVector;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageOptions;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.VisionChatRequest;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ProviderException;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Tollgate's {@link InferenceProvider} backed by Cloudflare Workers AI ({@code /ai/run/{model}} and the model
 * catalog). One OkHttp client, and so one connection pool, serves every call. Retryable failures (408, 429 other
 * than the daily allocation, 5xx) are tried again with backoff, but never once any byte of an answer has arrived:
 * after that a repeat could bill the account twice or repeat text the caller already has. A failure with no answer
 * at all (a timeout, a reset, a closed connection) is tried again only while the request was not yet wholly written:
 * once it was, Workers AI may be running, and billing, that call. The one exception is a pooled connection that
 * breaks without a word: servers close idle keep-alive connections (Node's after 5 s), and a call sent on one just
 * closed never reached anyone, so it is tried again on a new connection, as OkHttp itself would.
 */
public final class CloudflareWorkersAi implements InferenceProvider, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CloudflareWorkersAi.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    private static final String WHISPER_TURBO = "@cf/openai/whisper-large-v3-turbo";
    /** Model ids look like {@code @cf/meta/llama-3.1-8b-instruct}; anything else must not reach the URL path. */
    private static final Pattern MODEL_ID = Pattern.compile("[A-Za-z0-9@][A-Za-z0-9@._:+\\-]*(/[A-Za-z0-9@._:+\\-]+)*");
    private static final int CATALOG_PAGE_SIZE = 100;
    private static final int MAX_CATALOG_PAGES = 20;
    private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;
    /**
     * Idle connections kept for the next call: as many as calls can be in flight at once, which is Tomcat's request
     * threads (server.tomcat.threads.max, 200), as every upstream call, stream included, runs on its caller's thread.
     * OkHttp's default keeps 5, so under concurrency each connection left idle between two calls beyond the fifth
     * was closed and the next call paid a new TCP and TLS handshake: against a fake upstream, 16 callers making
     * 320 calls opened 155 connections with the default and 16 with this pool. The keep-alive stays OkHttp's
     * 5 minutes, under the 400 s after which Cloudflare closes an idle client connection.
     */
    private static final int MAX_IDLE_CONNECTIONS = 200;
    private static final long KEEP_ALIVE_MINUTES = 5;

    private final CloudflareSettings settings;
    private final ApiRoot root;
    private final OkHttpClient http;
    private final ObjectMapper json;
    private final WorkersAiErrors errors;
    private final Backoff backoff;
    private final Clock clock;
    private final ModelCatalog catalog;

    public CloudflareWorkersAi(CloudflareSettings settings) {
        this(settings, Clock.systemUTC(), Backoff.standard());
    }

    CloudflareWorkersAi(CloudflareSettings settings, Clock clock, Backoff backoff) {
        this.settings = settings;
        HttpUrl base = HttpUrl.parse(settings.apiBase());
        if (base == null) {
            throw new IllegalArgumentException("CLOUDFLARE_API_BASE is not an http(s) URL: " + settings.apiBase());
        }
        this.root = new ApiRoot(base, settings.accountId());
        this.http = new OkHttpClient.Builder()
                .connectTimeout(settings.connectTimeout())
                .readTimeout(settings.readTimeout())
                .callTimeout(settings.callTimeout())
                .socketFactory(new NoDelaySockets())
                .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, KEEP_ALIVE_MINUTES, TimeUnit.MINUTES))
                // Retries are ours alone, so maxRetries is the real bound and no POST is silently repeated.
                .retryOnConnectionFailure(false)
                // Cloudflare's API does not redirect; a redirect means a wrong CLOUDFLARE_API_BASE.
                .followRedirects(false)
                .eventListenerFactory(RequestWritten::of)
                .build();
        this.json = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
        this.errors = new WorkersAiErrors(json, settings.apiToken(), clock);
        this.backoff = backoff;
        this.clock = clock;
        this.catalog = new ModelCatalog(this::fetchCatalog, settings.catalogTtl(), clock);
    }

    @Override
    public String name() {
        return "cloudflare";
    }

    @Override
    public List<ModelInfo> models() {
        return catalog.models();
    }

    @Override
    public ChatCompletion chat(ChatRequest request) {
        Request call = runRequest(request, false);
        return withRetries("run " + request.model(), () -> {
            try (Response response = send(call)) {
                return wholeAnswer(response, request.model());
            }
        });
    }

    @Override
    public ChatCompletion chatStream(ChatRequest request, Consumer<String> onDelta) {
        Request call = runRequest(request, true);
        return withRetries("stream " + request.model(), () -> {
            try (Response response = send(call)) {
                return streamedAnswer(response, request.model(), onDelta);
            }
        });
    }

    /** {@code {"text":[…]}} → {@code {"result":{"shape":[n,d],"data":[[…],…]}}}, one vector per text, in order. */
    @Override
    public Embeddings embed(EmbeddingRequest request) {
        ObjectNode body = json.createObjectNode();
        ArrayNode texts = body.putArray("text");
        request.texts().forEach(texts::add);
        if (request.pooling() != null) {
            body.put("pooling", request.pooling());
        }
        Request call = runCall(request.model(), jsonBody(body), "application/json");
        return withRetries("embed " + request.model(), () -> {
            try (Response response = send(call)) {
                if (!response.isSuccessful()) {
                    throw failureOf(response, request.model());
                }
                String text = bodyOf(response);
                JsonNode result = resultOf(response.code(), text);
                List<EmbeddingVector> vectors = WorkersAiJson.vectors(result, request.texts().size());
                if (vectors == null) {
                    throw errors.malformed(response.code(), text, "embeddings that do not match the texts sent");
                }
                return new Embeddings(vectors, WorkersAiJson.inputUsage(result));
            }
        });
    }

    /**
     * {@code {"prompt","steps"}} (flux) or {@code {"prompt","num_steps"}} (Stable Diffusion, with the options it was
     * given: negative_prompt, width, height, guidance, seed). The answer is either the envelope with
     * {@code result.image} in base64, or, for SDXL, the raw image bytes with no envelope.
     */
    @Override
    public GeneratedImage generateImage(ImageRequest request) {
        ObjectNode body = json.createObjectNode().put("prompt", request.prompt());
        body.put(request.model().startsWith("@cf/black-forest-labs/") ? "steps" : "num_steps", request.steps());
        ImageOptions options = request.options();
        if (options.negativePrompt() != null) {
            body.put("negative_prompt", options.negativePrompt());
        }
        if (options.width() != null) {
            body.put("width", options.width());
        }
        if (options.height() != null) {
            body.put("height", options.height());
        }
        if (options.guidance() != null) {
            body.put("guidance", new java.math.BigDecimal(options.guidance()));
        }
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        Request call = runCall(request.model(), jsonBody(body), "application/json, image/png");
        return withRetries("image " + request.model(), () -> {
            try (Response response = send(call)) {
                if (!response.isSuccessful()) {
                    throw failureOf(response, request.model());
                }
                return imageOf(response);
            }
        });
    }

    /**
     * Whisper takes the recording itself as the body; whisper-large-v3-turbo takes {@code {"audio":"<base64>"}}.
     * Either answers {@code {"result":{"text","word_count","words":[{"word","start","end"}],"vtt"}}}.
     */
    @Override
    public Transcription transcribe(TranscriptionRequest request) {
        RequestBody body = request.model().equals(WHISPER_TURBO)
                ? jsonBody(json.createObjectNode().put("audio", Base64.getEncoder().encodeToString(request.audio())))
                : RequestBody.create(request.audio(), OCTET_STREAM);
        Request call = runCall(request.model(), body, "application/json");
        return withRetries("transcribe " + request.model(), () -> {
            try (Response response = send(call)) {
                if (!response.isSuccessful()) {
                    throw failureOf(response, request.model());
                }
                String text = bodyOf(response);
                Transcription heard = WorkersAiJson.transcription(resultOf(response.code(), text));
                if (heard == null) {
                    throw errors.malformed(response.code(), text, "a transcription without text");
                }
                return heard;
            }
        });
    }

    /** The chat's {@code messages} plus {@code image} as an array of byte values (0–255); answered as text. */
    @Override
    public ChatCompletion visionChat(VisionChatRequest request) {
        ObjectNode body = WorkersAiJson.runBody(json, request.chat(), false);
        ArrayNode image = body.putArray("image");
        for (byte b : request.image()) {
            image.add(b & 0xFF);
        }
        Request call = runCall(request.chat().model(), jsonBody(body), "application/json");
        return withRetries("vision " + request.chat().model(), () -> {
            try (Response response = send(call)) {
                return wholeAnswer(response, request.chat().model());
            }
        });
    }

    private GeneratedImage imageOf(Response response) throws UpstreamFailure {
        byte[] bytes;
        try {
            bytes = response.body() == null ? new byte[0] : response.body().bytes();
        } catch (IOException e) {
            throw errors.whileReading(e, response.code(), null);
        }
        String type = response.header("Content-Type", "");
        if (type.toLowerCase(java.util.Locale.ROOT).startsWith("image/") || WorkersAiJson.looksLikeImage(bytes)) {
            if (bytes.length == 0) {
                throw errors.malformed(response.code(), "", "an empty image");
            }
            return new GeneratedImage(bytes, type.startsWith("image/") ? type : WorkersAiJson.imageType(bytes));
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        byte[] image = WorkersAiJson.base64Image(resultOf(response.code(), text));
        if (image == null) {
            throw errors.malformed(response.code(), text, "a result without a base64 image");
        }
        return new GeneratedImage(image, WorkersAiJson.imageType(image));
    }

    private RequestBody jsonBody(ObjectNode body) {
        try {
            return RequestBody.create(json.writeValueAsString(body), JSON);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a request could not be written as JSON", e);
        }
    }

    private Request runCall(String model, RequestBody body, String accept) {
        return new Request.Builder()
                .url(runUrl(model))
                .header("Authorization", "Bearer " + settings.apiToken())
                .header("Accept", accept)
                .post(body)
                .build();
    }

    /** Releases the connection pool and dispatcher threads. */
    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public String toString() {
        return "CloudflareWorkersAi[" + settings + "]";
    }

    private ChatCompletion wholeAnswer(Response response, String model) throws UpstreamFailure {
        if (!response.isSuccessful()) {
            throw failureOf(response, model);
        }
        String body = bodyOf(response);
        JsonNode result = resultOf(response.code(), body);
        String text = WorkersAiJson.responseText(result);
        String toolCalls = WorkersAiJson.toolCalls(result);
        if (text == null && toolCalls == null) {
            throw errors.malformed(response.code(), body, "a result without a response");
        }
        // A model that answers only with function calls may leave its response out or null.
        return new ChatCompletion(text == null ? "" : text, WorkersAiJson.usage(result),
                WorkersAiJson.finishReason(result), toolCalls);
    }

    private ChatCompletion streamedAnswer(Response response, String model, Consumer<String> onDelta)
            throws UpstreamFailure {
        if (!response.isSuccessful()) {
            throw failureOf(response, model);
        }
        if (!isEventStream(response)) {
            // A model that cannot stream answers with the plain envelope: pass the whole text on as one piece.
            ChatCompletion whole = wholeAnswer(response, model);
            if (!whole.text().isEmpty()) {
                onDelta.accept(whole.text());
            }
            return whole;
        }
        StreamedAnswer answer = new StreamedAnswer(json, onDelta);
        boolean complete;
        try {
            complete = ServerSentEvents.read(response.body().source(), answer);
        } catch (JsonProcessingException e) {
            throw errors.brokenStream("Workers AI sent a stream chunk that is not JSON", response.code(),
                    answer.partial(), e);
        } catch (IOException e) {
            throw errors.whileReading(e, response.code(), answer.partial());
        }
        if (answer.error() != null) {
            throw errors.errorInStream(response.code(), answer.error(), answer.partial());
        }
        if (!complete) {
            throw errors.brokenStream("The Workers AI stream ended before the answer was complete",
                    response.code(), answer.partial(), null);
        }
        return answer.completion();
    }

    private List<ModelInfo> fetchCatalog() {
        List<ModelInfo> models = new ArrayList<>();
        for (int page = 1; page <= MAX_CATALOG_PAGES; page++) {
            Request call = new Request.Builder()
                    .url(root.accountUrl().newBuilder().addPathSegments("ai/models/search")
                            .addQueryParameter("per_page", String.valueOf(CATALOG_PAGE_SIZE))
                            .addQueryParameter("page", String.valueOf(page))
                            .build())
                    .header("Authorization", "Bearer " + settings.apiToken())
                    .get()
                    .build();
            JsonNode envelope = withRetries("model catalog page " + page, () -> {
                try (Response response = send(call)) {
                    return catalogPage(response);
                }
            });
            JsonNode results = envelope.path("result");
            WorkersAiJson.addModels(results, models);
            if (!hasMorePages(envelope.path("result_info"), page, results.size())) {
                break;
            }
        }
        return models;
    }

    private JsonNode catalogPage(Response response) throws UpstreamFailure {
        if (!response.isSuccessful()) {
            throw failureOf(response, null);
        }
        String body = bodyOf(response);
        JsonNode envelope = envelopeOf(response.code(), body);
        if (!envelope.path("result").isArray()) {
            throw errors.malformed(response.code(), body, "a model catalog without a result list");
        }
        return envelope;
    }

    /** Cloudflare's result_info varies by endpoint, so trust total_pages, then total_count, then a full page. */
    private static boolean hasMorePages(JsonNode info, int page, int received) {
        if (received == 0) {
            return false;
        }
        if (info.path("total_pages").isIntegralNumber()) {
            return page < info.path("total_pages").asInt();
        }
        if (info.path("total_count").isIntegralNumber()) {
            int perPage = info.path("per_page").isIntegralNumber() ? info.path("per_page").asInt() : CATALOG_PAGE_SIZE;
            return (long) page * perPage < info.path("total_count").asLong();
        }
        return received >= CATALOG_PAGE_SIZE;
    }

    private Request runRequest(ChatRequest request, boolean stream) {
        String body;
        try {
            body = json.writeValueAsString(WorkersAiJson.runBody(json, request, stream));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a chat request could not be written as JSON", e);
        }
        return new Request.Builder()
                .url(runUrl(request.model()))
                .header("Authorization", "Bearer " + settings.apiToken())
                .header("Accept", stream ? "text/event-stream" : "application/json")
                .post(RequestBody.create(body, JSON))
                .build();
    }

    /**
     * {@code /accounts/{id}/ai/run/@cf/meta/llama-3.1-8b-instruct}: the model's {@code @} and {@code /} stay as
     * they are. The id is checked first because OkHttp resolves {@code .} and {@code ..} segments, and a model
     * named {@code ../../tokens} must not send our bearer token to another endpoint.
     */
    private HttpUrl runUrl(String model) {
        if (!MODEL_ID.matcher(model).matches() || hasDotSegment(model)) {
            throw ProviderException.of(ProviderException.Kind.BAD_INPUT,
                    "\"" + model + "\" is not a Workers AI model id (like @cf/meta/llama-3.1-8b-instruct)");
        }
        return root.accountUrl().newBuilder().addPathSegments("ai/run").addPathSegments(model).build();
    }

    private static boolean hasDotSegment(String model) {
        for (String segment : model.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private Response send(Request call) throws UpstreamFailure {
        Response response = execute(call);
        if (root.isCertain(call.url())) {
            return response;
        }
        if (!isMissingPath(response)) {
            root.settleOn(call.url());
            return response;
        }
        Response elsewhere = execute(call.newBuilder().url(root.elsewhere(call.url())).build());
        if (isMissingPath(elsewhere)) {
            // Neither root has it (a wrong account, say): the documented path's answer says why.
            elsewhere.close();
            return response;
        }
        response.close();
        root.settleOn(elsewhere.request().url());
        return elsewhere;
    }

    /** A 404 that is not Cloudflare's "no such model" (3042, 5007): nothing serves this path. */
    private boolean isMissingPath(Response response) {
        if (response.code() != 404) {
            return false;
        }
        try {
            JsonNode codes = json.readTree(response.peekBody(MAX_ERROR_BODY_BYTES).string()).path("errors");
            for (JsonNode error : codes) {
                int code = error.path("code").asInt();
                if (code == 3042 || code == 5007) {
                    return false;
                }
            }
        } catch (IOException notJson) {
            // A proxy's or a web server's own 404 page.
        }
        return true;
    }

    private Response execute(Request call) throws UpstreamFailure {
        RequestWritten written = new RequestWritten();
        try {
            return http.newCall(call.newBuilder().tag(RequestWritten.class, written).build()).execute();
        } catch (IOException e) {
            throw errors.beforeResponse(e, written.whole(), written.reused());
        }
    }

    private UpstreamFailure failureOf(Response response, String model) {
        String body;
        try {
            // Error bodies are small JSON; a proxy's HTML page could be large, so read only the start.
            body = response.peekBody(MAX_ERROR_BODY_BYTES).string();
        } catch (IOException e) {
            body = "";
        }
        return errors.fromStatus(response.code(), body, retryAfterSeconds(response), model);
    }

    /**
     * The answer's text, read as UTF-8, which JSON always is (RFC 8259). OkHttp's {@code string()} parses the
     * Content-Type header with a regular expression on every call to look for a charset: 3 % of a metered call's
     * request thread in bench/gateway's profile.
     */
    private String bodyOf(Response response) throws UpstreamFailure {
        ResponseBody body = response.body();
        try {
            String text = body == null ? "" : new String(body.bytes(), java.nio.charset.StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark, as string() drops it
        } catch (IOException e) {
            throw errors.whileReading(e, response.code(), null);
        }
    }

    private JsonNode envelopeOf(int status, String body) throws UpstreamFailure {
        JsonNode envelope;
        try {
            envelope = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw errors.malformed(status, body, "an answer that is not JSON");
        }
        if (envelope == null || !envelope.isObject()) {
            throw errors.malformed(status, body, "an answer that is not a JSON object");
        }
        if (envelope.path("success").isBoolean() && !envelope.path("success").asBoolean()) {
            throw errors.malformed(status, body, "an answer marked as failed");
        }
        return envelope;
    }

    private JsonNode resultOf(int status, String body) throws UpstreamFailure {
        JsonNode result = envelopeOf(status, body).path("result");
        if (!result.isObject()) {
            throw errors.malformed(status, body, "an answer without a result");
        }
        return result;
    }

    private static boolean isEventStream(Response response) {
        String type = response.header("Content-Type");
        return type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
    }

    /**
     * Retry-After as delay-seconds or as an HTTP date (RFC 9110), in whole seconds from now, rounded up so the wait
     * is never shorter than asked; null when absent or unreadable.
     */
    private Long retryAfterSeconds(Response response) {
        String value = response.header("Retry-After");
        if (value == null) {
            return null;
        }
        String text = value.strip();
        if (text.matches("\\d{1,9}")) {
            return Long.parseLong(text);
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            long millis = Duration.between(clock.instant(), at).toMillis();
            return Math.max(0, Math.floorDiv(millis + 999, 1000));
        } catch (DateTimeParseException | ArithmeticException unreadable) {
            return null;
        }
    }

    private <T> T withRetries(String what, Attempt<T> attempt) {
        for (int retry = 0; ; retry++) {
            try {
                return attempt.run();
            } catch (UpstreamFailure f) {
                ProviderException failure = f.failure();
                if (!f.retryable() || retry >= settings.maxRetries()) {
                    throw failure;
                }
                if (!backoff.waitsFor(failure.retryAfterSeconds())) {
                    log.info("Workers AI {} failed ({}, HTTP {}, code {}) and asks for {} s: passed on, not retried",
                            what, failure.kind(), failure.upstreamStatus(), failure.upstreamCode(),
                            failure.retryAfterSeconds());
                    throw failure;
                }
                Duration delay = backoff.delay(retry, failure.retryAfterSeconds());
                log.warn("Workers AI {} failed ({}, HTTP {}, code {}); retry {} of {} in {} ms", what,
                        failure.kind(), failure.upstreamStatus(), failure.upstreamCode(), retry + 1,
                        settings.maxRetries(), delay.toMillis());
                pause(delay, failure);
            }
        }
    }

    private static void pause(Duration delay, ProviderException failure) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            // Shutting down: give up the retry and report what actually went wrong upstream.
            Thread.currentThread().interrupt();
            throw failure;
        }
    }

    /**
     * Notes, for one attempt, whether the whole request was written to Workers AI. Until it was, Workers AI cannot
     * have run the call; from then on it may be running it, whatever later breaks the connection. Also notes whether
     * the attempt went out on a pooled connection opened by an earlier call, which the server may have closed while
     * it was idle.
     */
    private static final class RequestWritten extends EventListener {

        private volatile boolean whole;
        private volatile boolean connected;
        private volatile boolean reused;

        static EventListener of(Call call) {
            RequestWritten written = call.request().tag(RequestWritten.class);
            return written == null ? EventListener.NONE : written;
        }

        @Override
        public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            connected = true;
        }

        @Override
        public void connectionAcquired(Call call, Connection connection) {
            reused = !connected;
        }

        @Override
        public void requestHeadersEnd(Call call, Request request) {
            // OkHttp fires no body events for a request without one, such as the catalog's GET.
            if (request.body() == null) {
                whole = true;
            }
        }

        @Override
        public void requestBodyEnd(Call call, long byteCount) {
            whole = true;
        }

        @Override
        public void requestFailed(Call call, IOException ioe) {
            // Over HTTP/1.1 OkHttp reports the end of the request before flushing it; a failed flush means the
            // request's tail never left.
            whole = false;
        }

        boolean whole() {
            return whole;
        }

        boolean reused() {
            return reused;
        }
    }

    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws UpstreamFailure;
    }
}
