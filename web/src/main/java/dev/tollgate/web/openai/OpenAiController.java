package dev.tollgate.web.openai;

import dev.tollgate.domain.metering.EmbeddingVector;
import dev.tollgate.web.ai.Payer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.VisionChatRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.web.ai.MediaInputs;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.Sampling;
import dev.tollgate.web.ai.SamplingInput;
import dev.tollgate.web.ai.ToolCallForms;
import dev.tollgate.web.ai.ToolsInput;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.ledger.Fingerprint;
import org.springframework.web.bind.annotation.RequestHeader;
import dev.tollgate.web.http.ChatTextLimit;
import dev.tollgate.web.http.ChatStreams;
import dev.tollgate.web.http.RequestIds;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.tollgate.web.http.ApiException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's chat completions and models, so an unchanged OpenAI SDK works with only its base URL ({@code …/v1}) and
 * key changed. Every call is metered exactly like {@code /api/ai/chat}; Tollgate's figures ride along in an extra
 * {@code x_tollgate} object that SDKs ignore.
 */
@RestController
public class OpenAiController {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");

    private final MeteredCalls metered;
    private final PriceBook prices;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final IdempotentCalls idempotent;
    private final ChatTextLimit textLimit;

    public OpenAiController(MeteredCalls metered, PriceBook prices, ObjectMapper mapper, Clock clock,
                            IdempotentCalls idempotent, ChatTextLimit textLimit) {
        this.textLimit = textLimit;
        this.metered = metered;
        this.prices = prices;
        this.mapper = mapper;
        this.clock = clock;
        this.idempotent = idempotent;
    }

    @GetMapping("/v1/models")
    public ObjectNode models() {
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        var data = list.putArray("data");
        prices.all().forEach(p -> data.add(model(p.model())));
        return list;
    }

    /**
     * One model, as OpenAI's {@code models.retrieve} asks for it. The id holds slashes, which SDKs send raw or
     * URL-encoded, so it is everything after {@code /v1/models/}, decoded once.
     */
    @GetMapping("/v1/models/**")
    public ObjectNode model(HttpServletRequest http) {
        String uri = http.getRequestURI();
        String id = URLDecoder.decode(uri.substring(uri.indexOf("/v1/models/") + "/v1/models/".length()),
                StandardCharsets.UTF_8);
        if (prices.priceOf(id).isEmpty()) {
            throw ApiException.notFound("model_not_found", "The model '" + id + "' does not exist");
        }
        return model(id);
    }

    private ObjectNode model(String id) {
        return mapper.createObjectNode().put("id", id).put("object", "model").put("created", 0)
                .put("owned_by", metered.providerName());
    }

    /**
     * With an Idempotency-Key the call happens once: a retry of a completion gets the first answer, and a retry of
     * a stream gets the first stream replayed as it ended (ADR 0019), with no second upstream call or charge.
     */
    @PostMapping("/v1/chat/completions")
    public Object completions(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                              @RequestHeader(value = "Idempotency-Key", required = false) String key,
                              HttpServletResponse response) throws IOException {
        ChatRequest request = read(body);
        byte[] image = imageOf(body);
        IdempotencyKey idempotencyKey = idempotencyKey(key);
        String requestId = RequestIds.current();
        String id = completionId(requestId);
        long created = clock.instant().getEpochSecond();
        Payer payer = caller.payer();
        if (!body.path("stream").asBoolean(false)) {
            if (idempotencyKey != null) {
                return idempotent.once(payer.idempotencyScope(), idempotencyKey, Fingerprint.of("openai-chat", body),
                        () -> completion(payer, request, image, requestId, id, created));
            }
            return completion(payer, request, image, requestId, id, created);
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        ChatStreams sse = new ChatStreams(response);
        if (idempotencyKey == null) {
            live(payer, request, image, requestId, id, created, includeUsage, sse);
            return null;
        }
        IdempotentCalls.StreamedCall first = idempotent.streamOnce(payer.idempotencyScope(), idempotencyKey,
                Fingerprint.of("openai-chat", body),
                () -> live(payer, request, image, requestId, id, created, includeUsage, sse));
        if (first == null) {
            return null;
        }
        long firstCreated = first.created() > 0 ? first.created() : created;
        String firstId = completionId(first.requestId());
        if (first.isBroken()) {
            sse.data(delta(firstId, firstCreated, request.model(), first.partialText(), true, includeUsage));
            broke(sse, first.charged(), firstId, firstCreated, request.model(), includeUsage);
            return null;
        }
        if (!first.done().text().isEmpty()) {
            sse.data(delta(firstId, firstCreated, request.model(), first.done().text(), true, includeUsage));
        }
        toolCallsDelta(sse, first.done(), firstId, firstCreated, request.model(), first.done().text().isEmpty(),
                includeUsage);
        finish(sse, first.done(), firstId, firstCreated, request.model(), includeUsage, request.maxTokens());
        return null;
    }

    /** Streams the call; answers how it ended, or null when it broke before anything was charged. */
    private IdempotentCalls.StreamedCall live(Payer payer, ChatRequest request, byte[] image, String requestId,
                                              String id, long created, boolean includeUsage, ChatStreams sse) {
        MeteredCalls.Metered done;
        try {
            java.util.function.Consumer<String> emit = text -> sse.data(delta(id, created, request.model(), text,
                    !sse.started(), includeUsage));
            if (image == null) {
                done = metered.chatStream(payer, request, requestId, emit);
            } else {
                // Workers AI answers a vision chat whole: the stream carries it as one piece.
                done = metered.visionChat(payer, new VisionChatRequest(request, image), requestId);
                emit.accept(done.text());
            }
        } catch (ProviderException failed) {
            if (!sse.started() && !failed.producedOutput()) {
                throw failed;
            }
            broke(sse, failed instanceof MeteredCalls.PartlyCharged c ? c.charged() : null, id, created,
                    request.model(), includeUsage);
            return failed.producedOutput()
                    ? IdempotentCalls.StreamedCall.broken(requestId, failed).stamped(created) : null;
        }
        toolCallsDelta(sse, done, id, created, request.model(), !sse.started(), includeUsage);
        finish(sse, done, id, created, request.model(), includeUsage, request.maxTokens());
        return IdempotentCalls.StreamedCall.finished(done).stamped(created);
    }

    /**
     * One piece of the answer; as OpenAI streams it, only the first names the role, and when usage was asked for,
     * every chunk before the usage chunk says {@code "usage":null}.
     */
    private String delta(String id, long created, String model, String text, boolean first, boolean includeUsage) {
        ObjectNode chunk = chunk(id, created, model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        delta.put("content", text);
        choice.putNull("finish_reason");
        nullUsage(chunk, includeUsage);
        return chunk.toString();
    }

    /**
     * The function calls of a finished stream, whole, in one delta as OpenAI's clients join them by {@code index}: the
     * provider's calls are only of use once their arguments are complete, so they are passed on at its end (ADR 44).
     */
    private void toolCallsDelta(ChatStreams sse, MeteredCalls.Metered done, String id, long created, String model,
                                boolean first, boolean includeUsage) {
        ArrayNode calls = ToolCallForms.openAi(done.toolCalls(), done.requestId());
        if (calls == null) {
            return;
        }
        ObjectNode chunk = chunk(id, created, model);
        ObjectNode choice = chunk.putArray("choices").addObject().put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (first) {
            delta.put("role", "assistant");
        }
        for (int i = 0; i < calls.size(); i++) {
            ((ObjectNode) calls.get(i)).put("index", i);
        }
        delta.set("tool_calls", calls);
        choice.putNull("finish_reason");
        nullUsage(chunk, includeUsage);
        sse.data(chunk.toString());
    }

    /**
     * Ends a stream the provider broke off. A caller that asked for usage first gets the usage chunk of what the
     * output was charged, as a finished stream would end; then the error, and no [DONE].
     */
    private void broke(ChatStreams sse, MeteredCalls.Metered charged, String id, long created, String model,
                       boolean includeUsage) {
        if (includeUsage && charged != null) {
            sse.data(usageChunk(charged, id, created, model).toString());
        }
        ObjectNode error = mapper.createObjectNode();
        error.putObject("error").put("message", "The stream ended before the answer was complete (the provider "
                + "broke it off or fell silent, or it ran past Tollgate's time limit for one call); you were charged "
                + "only for what was produced.").put("type", "server_error").put("code", "upstream_error");
        sse.data(error.toString());
    }

    private void finish(ChatStreams sse, MeteredCalls.Metered done, String id, long created, String model,
                        boolean includeUsage, int maxTokens) {
        ObjectNode last = chunk(id, created, model);
        ObjectNode choice = last.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta");
        choice.put("finish_reason", finishReason(done, maxTokens));
        nullUsage(last, includeUsage);
        sse.data(last.toString());
        if (includeUsage) {
            sse.data(usageChunk(done, id, created, model).toString());
        }
        sse.data("[DONE]");
    }

    private static void nullUsage(ObjectNode chunk, boolean includeUsage) {
        if (includeUsage) {
            chunk.putNull("usage");
        }
    }

    private ObjectNode usageChunk(MeteredCalls.Metered done, String id, long created, String model) {
        ObjectNode usage = chunk(id, created, model);
        usage.putArray("choices");
        usage.set("usage", usage(done));
        usage.set("x_tollgate", tollgate(done));
        return usage;
    }

    private static String completionId(String requestId) {
        return "chatcmpl-" + requestId.substring(requestId.indexOf('_') + 1);
    }

    private static IdempotencyKey idempotencyKey(String header) {
        if (header == null) {
            return null;
        }
        try {
            return new IdempotencyKey(header);
        } catch (IllegalArgumentException bad) {
            throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), null);
        }
    }

    /**
     * OpenAI's embeddings: {@code input} as a string or an array of strings, {@code encoding_format} "float" (the
     * default) or "base64" (little-endian float32s, which the official SDKs ask for unless told otherwise).
     */
    @PostMapping("/v1/embeddings")
    public JsonNode embeddings(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                               @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        JsonNode model = body.get("model");
        if (model == null || !model.isTextual() || model.textValue().isBlank()) {
            throw new OpenAiError(400, "invalid_request_error", "model is required", "model");
        }
        JsonNode input = body.get("input");
        if (input != null && input.isArray() && !input.isEmpty() && input.get(0).isNumber()
                || input != null && input.isArray() && !input.isEmpty() && input.get(0).isArray()) {
            throw new OpenAiError(400, "invalid_request_error", "input must be text: token arrays are not accepted",
                    "input");
        }
        List<String> texts;
        try {
            texts = MediaInputs.texts(input, "input");
        } catch (IllegalArgumentException bad) {
            throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), "input");
        }
        String format = body.path("encoding_format").asText("float");
        if (!format.equals("float") && !format.equals("base64")) {
            throw new OpenAiError(400, "invalid_request_error", "encoding_format must be float or base64",
                    "encoding_format");
        }
        if (body.hasNonNull("dimensions")) {
            throw new OpenAiError(400, "invalid_request_error", "dimensions cannot be chosen: each model has its own size",
                    "dimensions");
        }
        IdempotencyKey idempotencyKey = idempotencyKey(key);
        Payer payer = caller.payer();
        EmbeddingRequest request = new EmbeddingRequest(model.textValue(), texts);
        if (idempotencyKey == null) {
            return embed(payer, request, format);
        }
        return idempotent.once(payer.idempotencyScope(), idempotencyKey, Fingerprint.of("openai-embeddings", body),
                () -> embed(payer, request, format));
    }

    private ObjectNode embed(Payer payer, EmbeddingRequest request, String format) {
        MeteredCalls.Billed<Embeddings> billed = metered.embed(payer, request, RequestIds.current());
        ObjectNode list = mapper.createObjectNode().put("object", "list");
        ArrayNode data = list.putArray("data");
        List<EmbeddingVector> vectors = billed.output().vectors();
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
            if (format.equals("base64")) {
                item.put("embedding", MediaInputs.base64Floats(vectors.get(i)));
            } else {
                ArrayNode values = item.putArray("embedding");
                for (float value : MediaInputs.floats(vectors.get(i))) {
                    values.add(value);
                }
            }
        }
        list.put("model", billed.model());
        long promptTokens = billed.charge().inputTokens();
        list.putObject("usage").put("prompt_tokens", promptTokens).put("total_tokens", promptTokens);
        list.set("x_tollgate", mapper.createObjectNode().put("request_id", billed.requestId())
                .put("cost_usd", billed.collected().toUsdString())
                .put("balance_usd", billed.balanceAfter().toUsdString()).put("provider", billed.provider())
                .put("token_source", billed.charge().tokenSource().name().toLowerCase(java.util.Locale.ROOT)));
        return list;
    }

    private ObjectNode completion(Payer payer, ChatRequest request, byte[] image, String requestId, String id,
                                  long created) {
        MeteredCalls.Metered done = image == null ? metered.chat(payer, request, requestId)
                : metered.visionChat(payer, new VisionChatRequest(request, image), requestId);
        ObjectNode completion = mapper.createObjectNode().put("id", id).put("object", "chat.completion")
                .put("created", created).put("model", done.model());
        ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
        ObjectNode message = choice.putObject("message").put("role", "assistant");
        ArrayNode toolCalls = ToolCallForms.openAi(done.toolCalls(), done.requestId());
        if (toolCalls != null) {
            // As OpenAI answers a call without text: content null, so clients test for the calls, not for "".
            message.put("content", done.text().isEmpty() ? null : done.text());
            message.set("tool_calls", toolCalls);
        } else {
            message.put("content", done.text());
        }
        choice.put("finish_reason", finishReason(done, request.maxTokens()));
        completion.set("usage", usage(done));
        completion.set("x_tollgate", tollgate(done));
        return completion;
    }

    private ObjectNode chunk(String id, long created, String model) {
        return mapper.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
    }

    private ObjectNode usage(MeteredCalls.Metered done) {
        return mapper.createObjectNode().put("prompt_tokens", done.inputTokens())
                .put("completion_tokens", done.outputTokens())
                .put("total_tokens", done.inputTokens() + done.outputTokens());
    }

    private ObjectNode tollgate(MeteredCalls.Metered done) {
        return mapper.createObjectNode().put("request_id", done.requestId()).put("cost_usd", done.cost().toUsdString())
                .put("balance_usd", done.balanceAfter().toUsdString()).put("provider", done.provider())
                .put("token_source", done.source().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * A model that asked for function calls stopped to have them run: OpenAI's clients look for "tool_calls". Workers
     * AI's own answers give no reason: one whose output reached max_tokens was cut there ("length"), as OpenAI says.
     */
    static String finishReason(MeteredCalls.Metered done, int maxTokens) {
        String reason = done.finishReason();
        boolean called = ToolCallForms.openAi(done.toolCalls(), done.requestId()) != null;
        if (called && (reason == null || reason.equals("stop"))) {
            return "tool_calls";
        }
        if (reason == null) {
            return done.outputTokens() >= maxTokens ? "length" : "stop";
        }
        return reason;
    }

    /**
     * OpenAI's request shape: content as a string or as text parts; max_tokens or max_completion_tokens; tools and the
     * tool loop's messages (ADR 44); n only 1.
     */
    private ChatRequest read(JsonNode body) {
        JsonNode model = body.get("model");
        if (model == null || model.isNull()) {
            throw new OpenAiError(400, "invalid_request_error", "model is required", "model");
        }
        if (!model.isTextual() || model.textValue().isBlank()) {
            throw new OpenAiError(400, "invalid_request_error", "model must be a model's id, as a string", "model");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new OpenAiError(400, "invalid_request_error", "messages must be a non-empty array", "messages");
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isNull() && !stream.isBoolean()) {
            // "yes" read as false would answer a client that asked for a stream with a whole answer instead.
            throw new OpenAiError(400, "invalid_request_error", "stream must be true or false", "stream");
        }
        JsonNode streamOptions = body.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull() && !streamOptions.isObject()) {
            throw new OpenAiError(400, "invalid_request_error", "stream_options must be an object", "stream_options");
        }
        JsonNode includeUsage = streamOptions == null ? null : streamOptions.get("include_usage");
        if (includeUsage != null && !includeUsage.isNull() && !includeUsage.isBoolean()) {
            throw new OpenAiError(400, "invalid_request_error", "stream_options.include_usage must be true or false",
                    "stream_options");
        }
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            // Workers AI answers one choice per call; n:2 answered with one would look like a success.
            throw new OpenAiError(400, "invalid_request_error", "n must be 1: each call answers one choice", "n");
        }
        String tools;
        try {
            tools = ToolsInput.tools(body);
        } catch (ToolsInput.Invalid bad) {
            throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), bad.field());
        }
        List<ChatMessage> read = new ArrayList<>();
        for (JsonNode m : messages) {
            String role = m.path("role").asText("");
            if (!ROLES.contains(role)) {
                throw new OpenAiError(400, "invalid_request_error", "unknown role: " + role, "messages");
            }
            ToolsInput.MessageFields tool;
            try {
                tool = ToolsInput.of(m);
            } catch (ToolsInput.Invalid bad) {
                throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), bad.field());
            }
            JsonNode content = m.get("content");
            String text;
            if ((content == null || content.isNull()) && tool.toolCalls() != null) {
                text = null;
            } else if (content != null && content.isTextual()) {
                text = content.textValue();
            } else if (content != null && content.isArray()) {
                StringBuilder parts = new StringBuilder();
                content.forEach(part -> {
                    if ("text".equals(part.path("type").asText())) {
                        parts.append(part.path("text").asText(""));
                    }
                });
                text = parts.toString();
            } else {
                throw new OpenAiError(400, "invalid_request_error", "message content must be text", "messages");
            }
            read.add(new ChatMessage(role.equals("developer") ? "system" : role, text, tool.toolCalls(),
                    tool.toolCallId(), tool.toolName()));
        }
        JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        int maxTokens = 256;
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > 32_768) {
                throw new OpenAiError(400, "invalid_request_error", "max_tokens must be from 1 to 32768", "max_tokens");
            }
            maxTokens = max.intValue();
        }
        String temperature = null;
        JsonNode t = body.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.decimalValue().signum() < 0 || t.decimalValue().compareTo(BigDecimal.valueOf(5)) > 0) {
                throw new OpenAiError(400, "invalid_request_error", "temperature must be from 0 to 5", "temperature");
            }
            temperature = t.decimalValue().toPlainString();
        }
        Sampling sampling;
        try {
            sampling = SamplingInput.read(body);
        } catch (SamplingInput.Invalid bad) {
            throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), bad.field());
        }
        return textLimit.within(new ChatRequest(model.textValue(), read, maxTokens, temperature, sampling, tools));
    }

    /**
     * The one image of an OpenAI vision message ({@code {"type":"image_url","image_url":{"url":"data:…;base64,…"}}}),
     * or null when there is none. Only data URLs are read: Tollgate does not fetch URLs on a client's behalf.
     */
    private static byte[] imageOf(JsonNode body) {
        byte[] image = null;
        for (JsonNode message : body.path("messages")) {
            for (JsonNode part : message.path("content")) {
                if (!"image_url".equals(part.path("type").asText())) {
                    continue;
                }
                JsonNode url = part.path("image_url").isTextual() ? part.path("image_url")
                        : part.path("image_url").path("url");
                if (!url.isTextual() || !url.textValue().startsWith("data:")) {
                    throw new OpenAiError(400, "invalid_request_error",
                            "images must be sent as data URLs (data:image/png;base64,…)", "messages");
                }
                if (image != null) {
                    throw new OpenAiError(400, "invalid_request_error", "send at most one image per request",
                            "messages");
                }
                try {
                    image = MediaInputs.base64(url, "image_url");
                } catch (IllegalArgumentException bad) {
                    throw new OpenAiError(400, "invalid_request_error", bad.getMessage(), "messages");
                }
                if (image.length > MediaInputs.MAX_MEDIA_BYTES) {
                    throw new OpenAiError(413, "invalid_request_error", "the image is too large", "messages");
                }
            }
        }
        return image;
    }
}
