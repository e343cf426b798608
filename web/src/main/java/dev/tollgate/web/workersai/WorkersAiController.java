package dev.tollgate.web.workersai;

import dev.tollgate.domain.metering.EmbeddingVector;
import dev.tollgate.web.ai.Payer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageOptions;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.VisionChatRequest;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.Base64;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.Sampling;
import dev.tollgate.web.ai.SamplingInput;
import dev.tollgate.web.ai.ToolCallForms;
import dev.tollgate.web.ai.ToolsInput;
import dev.tollgate.web.ai.MediaInputs;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.web.ledger.Fingerprint;
import java.util.function.Supplier;
import org.springframework.web.bind.annotation.RequestHeader;
import dev.tollgate.web.http.ChatTextLimit;
import dev.tollgate.web.http.ChatStreams;
import dev.tollgate.web.http.RequestIds;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import java.util.Locale;
import java.util.UUID;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Workers AI's own run endpoint, so Cloudflare's SDKs work with only their base URL and token changed. Any
 * {@code {account}} is accepted (the caller's Tollgate credentials decide whose money is used); the model may come
 * raw ({@code @cf/meta/…}) or URL-encoded ({@code @cf%2Fmeta%2F…}), as Cloudflare's SDK sends it.
 */
@RestController
public class WorkersAiController {
    static final String PREFIX = "/client/v4/accounts/";
    /** Marks a raw picture kept in JSON: never a Workers AI field, so no envelope can be taken for it. */
    private static final String RAW_IMAGE = "x_tollgate_raw_image";

    private final MeteredCalls metered;
    private final ObjectMapper mapper;
    private final PriceBook prices;
    private final IdempotentCalls idempotent;
    private final ChatTextLimit textLimit;

    public WorkersAiController(MeteredCalls metered, ObjectMapper mapper, PriceBook prices,
                               IdempotentCalls idempotent, ChatTextLimit textLimit) {
        this.textLimit = textLimit;
        this.metered = metered;
        this.mapper = mapper;
        this.prices = prices;
        this.idempotent = idempotent;
    }

    /**
     * With an Idempotency-Key the call happens once: a retry gets the first answer, or the first stream replayed
     * as it ended (ADR 0019), with no second upstream call or charge.
     */
    @PostMapping("/client/v4/accounts/{account}/ai/run/**")
    public Object run(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                      @RequestHeader(value = "Idempotency-Key", required = false) String key, HttpServletRequest http,
                      HttpServletResponse response) {
        return run(caller, model(http), body, idempotencyKey(key), response);
    }

    private Object run(Caller caller, String model, JsonNode body, IdempotencyKey idempotencyKey,
                       HttpServletResponse response) {
        Payer payer = caller.payer();
        String fingerprint = Fingerprint.of("workers-ai-run", model, body);
        String task = taskOf(model);
        if (task.equals(PriceBook.TEXT_EMBEDDINGS)) {
            return once(payer, idempotencyKey, fingerprint, () -> embeddings(caller, model, body));
        }
        if (task.equals(PriceBook.TEXT_TO_IMAGE)) {
            return image(once(payer, idempotencyKey, fingerprint, () -> image(caller, model, body)), response);
        }
        if (task.equals(PriceBook.SPEECH_RECOGNITION)) {
            byte[] audio = bytes(body.get("audio"), "audio");
            return once(payer, idempotencyKey, fingerprint, () -> transcription(caller, model, audio));
        }
        ChatRequest request = read(model, body);
        String requestId = RequestIds.current();
        byte[] image = body.has("image") ? bytes(body.get("image"), "image") : null;
        if (image != null && !body.path("stream").asBoolean(false)) {
            return once(payer, idempotencyKey, fingerprint, () -> chatEnvelope(metered.visionChat(payer,
                    new VisionChatRequest(request, image), requestId)));
        }
        if (!body.path("stream").asBoolean(false)) {
            return once(payer, idempotencyKey, fingerprint,
                    () -> chatEnvelope(metered.chat(payer, request, requestId)));
        }
        ChatStreams stream = new ChatStreams(response);
        if (idempotencyKey == null) {
            live(payer, request, image, requestId, stream);
            return null;
        }
        IdempotentCalls.StreamedCall first = idempotent.streamOnce(payer.idempotencyScope(), idempotencyKey, fingerprint,
                () -> live(payer, request, image, requestId, stream));
        if (first == null) {
            return null;
        }
        if (first.isBroken()) {
            // Replayed as it broke: the text that was charged, what it was charged, and no [DONE].
            stream.data(mapper.createObjectNode().put("response", first.partialText()).toString());
            if (first.charged() != null) {
                stream.data(usageChunk(first.charged()).toString());
            }
            return null;
        }
        if (!first.done().text().isEmpty()) {
            stream.data(mapper.createObjectNode().put("response", first.done().text()).toString());
        }
        toolCallsChunk(stream, first.done());
        finish(stream, first.done());
        return null;
    }

    /**
     * The model catalogue as Workers AI's search answers it ({@code ai.models.list} in Cloudflare's SDKs): Tollgate's
     * priced models, filtered by {@code task} and {@code search}, a page at a time, with Tollgate's prices beside
     * each. Ids are derived from the name, so they stay the same across restarts and nodes.
     */
    @GetMapping("/client/v4/accounts/{account}/ai/models/search")
    public ObjectNode models(@RequestParam(value = "task", required = false) String task,
                             @RequestParam(value = "search", required = false) String search,
                             @RequestParam(value = "page", required = false) String page,
                             @RequestParam(value = "per_page", required = false) String perPage) {
        int pageNumber = positive(page, 1, Integer.MAX_VALUE, "page");
        int size = positive(perPage, 50, 1_000, "per_page");
        List<ModelPrice> found = prices.all().stream()
                .filter(p -> task == null || task.isBlank() || p.task().equalsIgnoreCase(task.strip()))
                .filter(p -> search == null || search.isBlank()
                        || p.model().toLowerCase(Locale.ROOT).contains(search.strip().toLowerCase(Locale.ROOT)))
                .toList();
        long from = (long) (pageNumber - 1) * size;
        List<ModelPrice> shown = from >= found.size() ? List.of()
                : found.subList((int) from, (int) Math.min(found.size(), from + size));
        ObjectNode envelope = mapper.createObjectNode();
        ArrayNode result = envelope.putArray("result");
        for (ModelPrice p : shown) {
            ObjectNode model = result.addObject().put("id", nameId(p.model())).put("name", p.model())
                    .put("description", p.task() + " model, metered by Tollgate (" + metered.providerName() + ")");
            model.putObject("task").put("id", nameId(p.task())).put("name", p.task());
            model.putArray("tags");
            model.putArray("properties");
            ObjectNode priced = model.putObject("x_tollgate").put("input_usd_per_m", p.inputPerMillion().toUsdString())
                    .put("output_usd_per_m", p.outputPerMillion().toUsdString());
            ArrayNode units = priced.putArray("units");
            p.units().forEach(u -> units.addObject().put("unit", u.unit()).put("unit_usd", u.price().toUsdString())
                    .put("per", u.per()));
        }
        envelope.putObject("result_info").put("page", pageNumber).put("per_page", size).put("count", shown.size())
                .put("total_count", found.size());
        envelope.put("success", true);
        envelope.putArray("errors");
        envelope.putArray("messages");
        return envelope;
    }

    private static int positive(String text, int absent, int most, String name) {
        if (text == null || text.isBlank()) {
            return absent;
        }
        try {
            int value = Integer.parseInt(text.strip());
            if (value >= 1 && value <= most) {
                return value;
            }
        } catch (NumberFormatException notANumber) {
            // answered below, as every other out-of-range value
        }
        throw new WorkersAiError(400, 7003, name + " must be a whole number from 1 to " + most);
    }

    private static String nameId(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Streams the call; answers how it ended, or null when it broke before anything was charged. */
    private IdempotentCalls.StreamedCall live(Payer payer, ChatRequest request, byte[] image, String requestId,
                                              ChatStreams stream) {
        MeteredCalls.Metered done;
        try {
            java.util.function.Consumer<String> emit =
                    delta -> stream.data(mapper.createObjectNode().put("response", delta).toString());
            if (image == null) {
                done = metered.chatStream(payer, request, requestId, emit);
            } else {
                // Workers AI answers a vision chat whole: the stream carries it as one piece.
                done = metered.visionChat(payer, new VisionChatRequest(request, image), requestId);
                if (!done.text().isEmpty()) {
                    emit.accept(done.text());
                }
            }
        } catch (ProviderException failed) {
            if (!stream.started() && !failed.producedOutput()) {
                throw failed;
            }
            // A stream without [DONE] is how Workers AI clients recognise a broken one; before it ends, the usage of
            // what was produced and charged, as a finished stream would give it.
            if (failed instanceof MeteredCalls.PartlyCharged charged) {
                stream.data(usageChunk(charged.charged()).toString());
            }
            return failed.producedOutput() ? IdempotentCalls.StreamedCall.broken(requestId, failed) : null;
        }
        toolCallsChunk(stream, done);
        finish(stream, done);
        return IdempotentCalls.StreamedCall.finished(done);
    }

    /**
     * The function calls of a finished stream, as the provider gave them, in one chunk before the usage: how Workers
     * AI itself streams them is not documented (unverified), and a call is only of use whole (ADR 44).
     */
    private void toolCallsChunk(ChatStreams stream, MeteredCalls.Metered done) {
        JsonNode calls = ToolCallForms.asGiven(done.toolCalls());
        if (calls != null) {
            ObjectNode chunk = mapper.createObjectNode().put("response", "");
            chunk.set("tool_calls", calls);
            stream.data(chunk.toString());
        }
    }

    private void finish(ChatStreams stream, MeteredCalls.Metered done) {
        stream.data(usageChunk(done).toString());
        stream.data("[DONE]");
    }

    /** Workers AI's closing chunk, {@code {"response":"","usage":{…}}}, with Tollgate's figures beside it. */
    private ObjectNode usageChunk(MeteredCalls.Metered done) {
        ObjectNode last = mapper.createObjectNode().put("response", "");
        last.set("usage", usage(done));
        last.set("x_tollgate", figures(done));
        return last;
    }

    /** What the call cost, the balance after it, and whether its tokens were counted by the provider or estimated. */
    private ObjectNode figures(MeteredCalls.Metered done) {
        return mapper.createObjectNode().put("request_id", done.requestId())
                .put("cost_usd", done.cost().toUsdString()).put("balance_usd", done.balanceAfter().toUsdString())
                .put("provider", done.provider())
                .put("token_source", done.source().name().toLowerCase(Locale.ROOT));
    }

    /**
     * Whisper's own form: the recording itself as the body. A body with no Content-Type at all lands here too (Spring
     * reads it as octet-stream); for a model that does not hear audio, one that parses as a JSON object is the JSON
     * call that Cloudflare's API, and curl users, take it for.
     */
    @PostMapping(value = "/client/v4/accounts/{account}/ai/run/**",
            consumes = {"application/octet-stream", "audio/*", "video/*"})
    public Object runRecording(@AuthenticationPrincipal Caller caller,
                               @RequestHeader(value = "Idempotency-Key", required = false) String key,
                               HttpServletRequest http, HttpServletResponse response) throws IOException {
        IdempotencyKey idempotencyKey = idempotencyKey(key);
        byte[] audio = http.getInputStream().readNBytes(MediaInputs.MAX_MEDIA_BYTES + 1);
        if (audio.length > MediaInputs.MAX_MEDIA_BYTES) {
            throw new WorkersAiError(413, 3006, "AiError: Request is too large");
        }
        if (audio.length == 0) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: send the recording as the body");
        }
        String model = model(http);
        if (http.getContentType() == null && !taskOf(model).equals(PriceBook.SPEECH_RECOGNITION)) {
            JsonNode json = jsonObjectOrNull(audio);
            if (json != null) {
                return run(caller, model, json, idempotencyKey, response);
            }
        }
        return once(caller.payer(), idempotencyKey,
                Fingerprint.of("workers-ai-recording", model, Base64.getEncoder().encodeToString(audio)),
                () -> transcription(caller, model, audio));
    }

    /** The model's task; a model Tollgate has no price for is refused here, before its body is read (5007). */
    private String taskOf(String model) {
        return metered.priceOf(model).task();
    }

    private JsonNode jsonObjectOrNull(byte[] body) {
        try {
            JsonNode parsed = mapper.readTree(body);
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private JsonNode once(Payer payer, IdempotencyKey key, String fingerprint, Supplier<ObjectNode> call) {
        if (key == null) {
            return call.get();
        }
        return idempotent.once(payer.idempotencyScope(), key, fingerprint, call::get);
    }

    private static IdempotencyKey idempotencyKey(String header) {
        if (header == null) {
            return null;
        }
        try {
            return new IdempotencyKey(header);
        } catch (IllegalArgumentException bad) {
            throw new WorkersAiError(400, 9400, "Bad Idempotency-Key: " + bad.getMessage());
        }
    }

    private ObjectNode chatEnvelope(MeteredCalls.Metered done) {
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode result = envelope.putObject("result");
        result.put("response", done.text());
        JsonNode toolCalls = ToolCallForms.asGiven(done.toolCalls());
        result.set("tool_calls", toolCalls == null ? mapper.createArrayNode() : toolCalls);
        result.set("usage", usage(done));
        envelope.put("success", true);
        envelope.putArray("errors");
        envelope.putArray("messages");
        envelope.set("x_tollgate", figures(done));
        return envelope;
    }

    /**
     * flux: {@code {"prompt","steps"}} → the envelope with {@code result.image} in base64. Other models
     * ({@code num_steps}) answer the raw PNG with no envelope, as Workers AI does; Tollgate's figures then travel in
     * {@code X-Tollgate-*} headers. The picture is drawn and charged here, and answered by
     * {@link #image(JsonNode, HttpServletResponse)}, so that a retry with the same key can answer it again.
     */
    private ObjectNode image(Caller caller, String model, JsonNode body) {
        boolean flux = model.startsWith("@cf/black-forest-labs/");
        JsonNode prompt = body.get("prompt");
        if (prompt == null || !prompt.isTextual() || prompt.textValue().isBlank()) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: prompt is required");
        }
        JsonNode given = body.has("steps") ? body.get("steps") : body.get("num_steps");
        int max = flux ? 8 : 20;
        int steps = flux ? 4 : 20;
        if (given != null && !given.isNull()) {
            if (!given.isIntegralNumber() || given.asLong() < 1 || given.asLong() > max) {
                throw new WorkersAiError(400, 5006, "AiError: Bad input: steps must be from 1 to " + max);
            }
            steps = given.intValue();
        }
        ImageOptions options;
        try {
            options = MediaInputs.imageOptions(body, flux);
        } catch (IllegalArgumentException bad) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: " + bad.getMessage());
        }
        MeteredCalls.Billed<GeneratedImage> billed = metered.generateImage(caller.payer(),
                new ImageRequest(model, prompt.textValue(), steps, options), RequestIds.current());
        String base64 = Base64.getEncoder().encodeToString(billed.output().bytes());
        if (!flux) {
            ObjectNode raw = mapper.createObjectNode();
            raw.putObject(RAW_IMAGE).put("content_type", billed.output().contentType()).put("base64", base64)
                    .put("request_id", billed.requestId()).put("cost_usd", billed.collected().toUsdString())
                    .put("balance_usd", billed.balanceAfter().toUsdString()).put("provider", billed.provider());
            return raw;
        }
        ObjectNode envelope = mapper.createObjectNode();
        envelope.putObject("result").put("image", base64);
        return success(envelope, billed);
    }

    private Object image(JsonNode drawn, HttpServletResponse response) {
        JsonNode raw = drawn.get(RAW_IMAGE);
        if (raw == null) {
            return drawn;
        }
        byte[] png = Base64.getDecoder().decode(raw.get("base64").asText());
        response.setHeader("X-Tollgate-Request-Id", raw.get("request_id").asText());
        response.setHeader("X-Tollgate-Cost-Usd", raw.get("cost_usd").asText());
        response.setHeader("X-Tollgate-Balance-Usd", raw.get("balance_usd").asText());
        response.setHeader("X-Tollgate-Provider", raw.get("provider").asText());
        response.setContentType(raw.get("content_type").asText());
        response.setContentLength(png.length);
        try {
            response.getOutputStream().write(png);
            response.flushBuffer();
        } catch (IOException clientGone) {
            // The call is settled either way; a client that left has only itself to ask again.
        }
        return null;
    }

    /** {@code {"result":{"text","word_count","words":[{"word","start","end"}],"vtt"}}}, as Whisper answers. */
    private ObjectNode transcription(Caller caller, String model, byte[] audio) {
        MeteredCalls.Billed<Transcription> billed = metered.transcribe(caller.payer(),
                new TranscriptionRequest(model, audio), RequestIds.current());
        Transcription heard = billed.output();
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode result = envelope.putObject("result").put("text", heard.text());
        if (heard.wordCount() != null) {
            result.put("word_count", heard.wordCount());
        }
        ArrayNode words = result.putArray("words");
        for (Transcription.Word w : heard.words()) {
            ObjectNode word = words.addObject().put("word", w.word());
            word.put("start", w.start() == null ? null : new java.math.BigDecimal(w.start()));
            word.put("end", w.end() == null ? null : new java.math.BigDecimal(w.end()));
        }
        if (heard.vtt() != null) {
            result.put("vtt", heard.vtt());
        }
        return success(envelope, billed);
    }

    private ObjectNode success(ObjectNode envelope, MeteredCalls.Billed<?> billed) {
        envelope.put("success", true);
        envelope.putArray("errors");
        envelope.putArray("messages");
        envelope.set("x_tollgate", mapper.createObjectNode().put("request_id", billed.requestId())
                .put("cost_usd", billed.collected().toUsdString())
                .put("balance_usd", billed.balanceAfter().toUsdString()).put("provider", billed.provider())
                .put("token_source", billed.charge().tokenSource().name().toLowerCase(java.util.Locale.ROOT)));
        return envelope;
    }

    /** Workers AI's byte arrays ({@code [uint8, …]}) or, for newer models, base64 text. */
    private static byte[] bytes(JsonNode node, String field) {
        if (node != null && node.isArray() && !node.isEmpty()) {
            if (node.size() > MediaInputs.MAX_MEDIA_BYTES) {
                throw new WorkersAiError(413, 3006, "AiError: Request is too large");
            }
            byte[] bytes = new byte[node.size()];
            for (int i = 0; i < bytes.length; i++) {
                JsonNode value = node.get(i);
                if (!value.isIntegralNumber() || value.asInt() < 0 || value.asInt() > 255) {
                    throw new WorkersAiError(400, 5006, "AiError: Bad input: " + field + " must hold bytes (0-255)");
                }
                bytes[i] = (byte) value.asInt();
            }
            return bytes;
        }
        try {
            return MediaInputs.base64(node, field);
        } catch (IllegalArgumentException bad) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: " + field
                    + " must be an array of bytes or base64 text");
        }
    }

    /** bge on the run path: {@code {"text": "…" | ["…",…]}} → {@code {"result":{"shape":[n,d],"data":[[…]]}}}. */
    private ObjectNode embeddings(Caller caller, String model, JsonNode body) {
        List<String> texts;
        String pooling;
        try {
            texts = MediaInputs.texts(body.get("text"), "text");
            pooling = MediaInputs.pooling(body);
        } catch (IllegalArgumentException bad) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: " + bad.getMessage());
        }
        MeteredCalls.Billed<Embeddings> billed = metered.embed(caller.payer(),
                new EmbeddingRequest(model, texts, pooling), RequestIds.current());
        ObjectNode envelope = mapper.createObjectNode();
        ObjectNode result = envelope.putObject("result");
        result.putArray("shape").add(billed.output().vectors().size()).add(billed.output().dimensions());
        ArrayNode data = result.putArray("data");
        for (EmbeddingVector vector : billed.output().vectors()) {
            ArrayNode row = data.addArray();
            for (float value : MediaInputs.floats(vector)) {
                row.add(value);
            }
        }
        envelope.put("success", true);
        envelope.putArray("errors");
        envelope.putArray("messages");
        envelope.set("x_tollgate", mapper.createObjectNode().put("request_id", billed.requestId())
                .put("cost_usd", billed.collected().toUsdString())
                .put("balance_usd", billed.balanceAfter().toUsdString()).put("provider", billed.provider())
                .put("input_tokens", billed.charge().inputTokens())
                .put("token_source", billed.charge().tokenSource().name().toLowerCase(java.util.Locale.ROOT)));
        return envelope;
    }

    private ObjectNode usage(MeteredCalls.Metered done) {
        return mapper.createObjectNode().put("prompt_tokens", done.inputTokens())
                .put("completion_tokens", done.outputTokens())
                .put("total_tokens", done.inputTokens() + done.outputTokens());
    }

    /** The model is everything after /ai/run/ in the raw path, decoded once. */
    static String model(HttpServletRequest http) {
        String uri = http.getRequestURI();
        int at = uri.indexOf("/ai/run/");
        String raw = at < 0 ? "" : uri.substring(at + "/ai/run/".length());
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    private ChatRequest read(String model, JsonNode body) {
        if (model.isBlank()) {
            throw new WorkersAiError(400, 5007, "No such model");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            // "yes" read as false would answer a client that asked for a stream with a whole answer instead.
            throw new WorkersAiError(400, 5006, "AiError: Bad input: stream must be true or false");
        }
        String tools;
        try {
            tools = ToolsInput.tools(body);
        } catch (ToolsInput.Invalid bad) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: " + bad.getMessage());
        }
        List<ChatMessage> messages = new ArrayList<>();
        JsonNode list = body.get("messages");
        if (list != null && list.isArray()) {
            for (JsonNode m : list) {
                ToolsInput.MessageFields tool;
                try {
                    tool = ToolsInput.of(m);
                } catch (ToolsInput.Invalid bad) {
                    throw new WorkersAiError(400, 5006, "AiError: Bad input: " + bad.getMessage());
                }
                JsonNode content = m.path("content");
                boolean callsInstead = (content.isMissingNode() || content.isNull()) && tool.toolCalls() != null;
                if (!m.path("role").isTextual() || !content.isTextual() && !callsInstead) {
                    throw new WorkersAiError(400, 5006, "AiError: Bad input: each message needs role and content");
                }
                messages.add(new ChatMessage(m.get("role").textValue(), callsInstead ? null : content.textValue(),
                        tool.toolCalls(), tool.toolCallId(), tool.toolName()));
            }
        } else if (body.path("prompt").isTextual()) {
            messages.add(new ChatMessage("user", body.get("prompt").textValue()));
        }
        if (messages.isEmpty()) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: send prompt or messages");
        }
        int maxTokens = 256;
        JsonNode max = body.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > 32_768) {
                throw new WorkersAiError(400, 5006, "AiError: Bad input: max_tokens must be from 1 to 32768");
            }
            maxTokens = max.intValue();
        }
        JsonNode t = body.get("temperature");
        String temperature = null;
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.decimalValue().signum() < 0 || t.decimalValue().compareTo(BigDecimal.valueOf(5)) > 0) {
                throw new WorkersAiError(400, 5006, "AiError: Bad input: temperature must be a number from 0 to 5");
            }
            temperature = t.decimalValue().toPlainString();
        }
        Sampling sampling;
        try {
            sampling = SamplingInput.read(body);
        } catch (SamplingInput.Invalid bad) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: " + bad.getMessage());
        }
        return textLimit.within(new ChatRequest(model, messages, maxTokens, temperature, sampling, tools));
    }
}
