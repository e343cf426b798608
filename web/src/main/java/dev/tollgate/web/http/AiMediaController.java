package dev.tollgate.web.http;

import jakarta.servlet.http.Part;
import jakarta.servlet.ServletException;
import dev.tollgate.domain.metering.EmbeddingVector;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.UnitPrice;
import dev.tollgate.domain.metering.VisionChatRequest;
import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.web.ai.MediaInputs;
import dev.tollgate.web.ledger.Fingerprint;
import org.springframework.web.bind.annotation.RequestHeader;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Tollgate's own API for the other modalities: embeddings, text-to-image, speech recognition and vision chat. Each
 * call is metered like a chat: a hold on an upper bound, the provider call, then the real charge (ADR 10).
 */
@RestController
public class AiMediaController {
    static final String DEFAULT_SPEECH_MODEL = "@cf/openai/whisper";
    /** flux-1-schnell takes at most 8 steps (default 4); Stable Diffusion models at most 20 (default 20). */
    private static final String FLUX = "@cf/black-forest-labs/";

    private final MeteredCalls metered;
    private final ObjectMapper mapper;
    private final IdempotentCalls idempotent;

    public AiMediaController(MeteredCalls metered, ObjectMapper mapper, IdempotentCalls idempotent) {
        this.metered = metered;
        this.mapper = mapper;
        this.idempotent = idempotent;
    }

    public record EmbeddingView(int index, float[] embedding) {
    }

    /** {@code {"model","input": "…" | ["…",…]}} ({@code text} is accepted too, as Workers AI names it). */
    @PostMapping("/api/ai/embeddings")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Embeddings.class)))
    public Object embeddings(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                             @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        String model = Amounts.requiredText(body, "model");
        List<String> texts = MediaInputs.texts(body.has("input") ? body.get("input") : body.get("text"), "input");
        EmbeddingRequest request = new EmbeddingRequest(model, texts, MediaInputs.pooling(body));
        return once(caller, key, Fingerprint.of("embeddings", body), () -> embeddingsAnswer(caller, request));
    }

    private Map<String, Object> embeddingsAnswer(Caller caller, EmbeddingRequest request) {
        MeteredCalls.Billed<Embeddings> billed = metered.embed(caller.payer(), request,
                RequestIds.current());
        List<EmbeddingVector> vectors = billed.output().vectors();
        List<EmbeddingView> data = new java.util.ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            data.add(new EmbeddingView(i, MediaInputs.floats(vectors.get(i))));
        }
        Map<String, Object> answer = head(billed);
        answer.put("dimensions", billed.output().dimensions());
        answer.put("data", data);
        answer.put("usage", tokenUsage(billed.charge()));
        return tail(answer, billed);
    }

    /** {@code {"model","prompt","steps"?}} → the image as base64, with what it was charged on. */
    @PostMapping("/api/ai/generate-image")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.GenerateImage.class)))
    public Object generateImage(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                                @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        String model = Amounts.requiredText(body, "model");
        String prompt = Amounts.requiredText(body, "prompt");
        boolean flux = model.startsWith(FLUX);
        int maxSteps = flux ? 8 : 20;
        int steps = flux ? 4 : 20;
        JsonNode given = body.get("steps");
        if (given != null && !given.isNull()) {
            if (!given.isIntegralNumber() || given.asLong() < 1 || given.asLong() > maxSteps) {
                throw ApiException.badRequest("steps must be a whole number from 1 to " + maxSteps + " for " + model);
            }
            steps = given.intValue();
        }
        ImageRequest request = new ImageRequest(model, prompt, steps, MediaInputs.imageOptions(body, flux));
        return once(caller, key, Fingerprint.of("generate-image", body), () -> imageAnswer(caller, request));
    }

    private Map<String, Object> imageAnswer(Caller caller, ImageRequest request) {
        MeteredCalls.Billed<GeneratedImage> billed = metered.generateImage(caller.payer(), request,
                RequestIds.current());
        Map<String, Object> answer = head(billed);
        answer.put("image", Base64.getEncoder().encodeToString(billed.output().bytes()));
        answer.put("content_type", billed.output().contentType());
        Map<String, Object> usage = unitUsage(billed.charge());
        answer.put("usage", usage);
        return tail(answer, billed);
    }

    /**
     * The recording either as the raw body ({@code audio/*} or {@code application/octet-stream}, model in
     * {@code ?model=}) or as JSON {@code {"model"?,"audio":"<base64>"}}. The model defaults to Whisper.
     */
    @PostMapping("/api/ai/transcribe")
    public Object transcribe(@AuthenticationPrincipal Caller caller, HttpServletRequest http,
                             @RequestParam(value = "model", required = false) String modelParam,
                             @RequestHeader(value = "Idempotency-Key", required = false) String key)
            throws IOException {
        String model = modelParam;
        byte[] audio;
        String type = http.getContentType() == null ? "" : http.getContentType().toLowerCase(Locale.ROOT);
        if (type.startsWith("application/json")) {
            JsonNode body;
            try {
                body = mapper.readTree(read(http.getInputStream(), MediaInputs.MAX_MEDIA_BYTES * 4 / 3 + 4096));
            } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "invalid_json", "The request body is not valid JSON.");
            }
            if (body == null || !body.isObject()) {
                throw ApiException.badRequest("send {\"model\", \"audio\": \"<base64>\"}");
            }
            if (body.hasNonNull("model")) {
                model = Amounts.requiredText(body, "model");
            }
            audio = MediaInputs.bytes(body.get("audio"), "audio");
        } else if (type.startsWith("multipart/form-data")) {
            // A form upload, as OpenAI's transcription endpoint takes it: the file in "file" (or "audio").
            Part file = part(http, "file");
            if (file == null) {
                file = part(http, "audio");
            }
            if (file == null) {
                throw ApiException.badRequest("send the recording as a form part named file");
            }
            try (InputStream in = file.getInputStream()) {
                audio = read(in, MediaInputs.MAX_MEDIA_BYTES);
            }
            String formModel = http.getParameter("model");
            if (formModel != null && !formModel.isBlank()) {
                model = formModel.strip();
            }
        } else {
            audio = read(http.getInputStream(), MediaInputs.MAX_MEDIA_BYTES);
            if (audio.length == 0) {
                throw ApiException.badRequest("send the recording as the body, or JSON {\"audio\": \"<base64>\"}");
            }
        }
        if (audio.length > MediaInputs.MAX_MEDIA_BYTES) {
            throw tooLarge();
        }
        TranscriptionRequest request = new TranscriptionRequest(
                model == null || model.isBlank() ? DEFAULT_SPEECH_MODEL : model, audio);
        return once(caller, key, key == null ? null : Fingerprint.of("transcribe", request.model(), sha256(audio)),
                () -> transcriptionAnswer(caller, request));
    }

    private static Part part(HttpServletRequest http, String name) throws IOException {
        try {
            return http.getPart(name);
        } catch (ServletException | IllegalStateException notAForm) {
            throw ApiException.badRequest("the form could not be read: send multipart/form-data with a file part");
        }
    }

    private Map<String, Object> transcriptionAnswer(Caller caller, TranscriptionRequest request) {
        MeteredCalls.Billed<Transcription> billed = metered.transcribe(caller.payer(), request,
                RequestIds.current());
        Transcription heard = billed.output();
        Map<String, Object> answer = head(billed);
        answer.put("text", heard.text());
        answer.put("word_count", heard.wordCount());
        answer.put("words", heard.words().stream().map(w -> {
            Map<String, Object> word = new LinkedHashMap<>();
            word.put("word", w.word());
            word.put("start", w.start() == null ? null : new BigDecimal(w.start()));
            word.put("end", w.end() == null ? null : new BigDecimal(w.end()));
            return word;
        }).toList());
        answer.put("vtt", heard.vtt());
        answer.put("usage", unitUsage(billed.charge()));
        return tail(answer, billed);
    }

    /** A chat body plus {@code "image"}: base64 or a data URL. Answered like /api/ai/chat. */
    @PostMapping("/api/ai/vision-chat")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.VisionChat.class)))
    public Object visionChat(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                             @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        var chat = AiController.chatRequest(promptAsMessage(body));
        byte[] image = MediaInputs.bytes(body.get("image"), "image");
        if (image.length > MediaInputs.MAX_MEDIA_BYTES) {
            throw tooLarge();
        }
        VisionChatRequest request = new VisionChatRequest(chat, image);
        return once(caller, key, Fingerprint.of("vision-chat", body), () -> AiController.ChatView.of(
                metered.visionChat(caller.payer(), request, RequestIds.current())));
    }

    /** Workers AI's vision models take {@code prompt} or {@code messages}; a prompt is one user message. */
    private static JsonNode promptAsMessage(JsonNode body) {
        if (body == null || !body.isObject() || body.has("messages") || !body.path("prompt").isTextual()) {
            return body;
        }
        ObjectNode withMessages = ((ObjectNode) body).deepCopy();
        withMessages.putArray("messages").addObject().put("role", "user").put("content", body.get("prompt").asText());
        return withMessages;
    }

    /** With an Idempotency-Key the call happens once: a retry gets the first answer, with no second charge. */
    private Object once(Caller caller, String key, String fingerprint, java.util.function.Supplier<Object> call) {
        if (key == null) {
            return call.get();
        }
        return idempotent.once(caller.payer().idempotencyScope(), Amounts.idempotencyKey(key), fingerprint, call);
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    private static Map<String, Object> head(MeteredCalls.Billed<?> billed) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("request_id", billed.requestId());
        answer.put("model", billed.model());
        return answer;
    }

    private static Map<String, Object> tail(Map<String, Object> answer, MeteredCalls.Billed<?> billed) {
        answer.put("cost_usd", billed.collected().toUsdString());
        answer.put("balance_usd", billed.balanceAfter().toUsdString());
        answer.put("provider", billed.provider());
        answer.put("latency_ms", billed.latencyMs());
        return answer;
    }

    private static Map<String, Object> tokenUsage(Charge charge) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("input_tokens", charge.inputTokens());
        usage.put("output_tokens", charge.outputTokens());
        usage.put("total_tokens", charge.inputTokens() + charge.outputTokens());
        usage.put("source", source(charge));
        return usage;
    }

    /** {@code image_tiles}/{@code steps}, or {@code audio_seconds} (decimal text of the milliseconds charged). */
    private static Map<String, Object> unitUsage(Charge charge) {
        Map<String, Object> usage = new LinkedHashMap<>();
        for (ChargedUnits line : charge.units()) {
            switch (line.unit()) {
                case UnitPrice.IMAGE_TILE -> usage.put("image_tiles", line.quantity());
                case UnitPrice.STEP -> usage.put("steps", line.quantity());
                case UnitPrice.AUDIO_MILLISECOND ->
                        usage.put("audio_seconds", BigDecimal.valueOf(line.quantity(), 3).toPlainString());
                default -> usage.put(line.unit(), line.quantity());
            }
        }
        usage.put("source", source(charge));
        return usage;
    }

    private static String source(Charge charge) {
        return charge.tokenSource().name().toLowerCase(Locale.ROOT);
    }

    private static ApiException tooLarge() {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "too_large",
                "Media larger than " + MediaInputs.MAX_MEDIA_BYTES / (1024 * 1024) + " MB is refused.");
    }

    /** Reads at most {@code limit} + 1 bytes, so an oversized body is recognised without reading all of it. */
    private static byte[] read(InputStream in, int limit) throws IOException {
        byte[] bytes = in.readNBytes(limit + 1);
        if (bytes.length > limit) {
            throw tooLarge();
        }
        return bytes;
    }
}
