package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.EmbeddingVector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderUsage;

import dev.tollgate.domain.metering.Transcription;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The JSON shapes of {@code /ai/run/{model}} and the catalog: request bodies out, results in. */
final class WorkersAiJson {

    private WorkersAiJson() {
    }

    static ObjectNode runBody(ObjectMapper json, ChatRequest request, boolean stream) {
        ObjectNode body = json.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            // Workers AI's own clients always send content as text, so an assistant's null beside its tool calls
            // goes as "" (whether /ai/run takes null is unverified).
            ObjectNode sent = messages.addObject().put("role", message.role())
                    .put("content", message.content() == null ? "" : message.content());
            if (message.toolCalls() != null) {
                sent.set("tool_calls", parsed(json, message.toolCalls(), "tool_calls"));
            }
            if (message.toolCallId() != null) {
                sent.put("tool_call_id", message.toolCallId());
            }
            if (message.name() != null) {
                sent.put("name", message.name());
            }
        }
        if (request.tools() != null) {
            body.set("tools", parsed(json, request.tools(), "tools"));
        }
        body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) {
            body.put("temperature", temperature(request.temperature()));
        }
        // Only the fields the reference documents can be in here (Sampling holds no others), with the caller's digits.
        request.sampling().values().forEach(body::put);
        body.put("stream", stream);
        return body;
    }

    /** JSON the edge already checked, as the tree it is; text that does not parse is the caller's bad input. */
    private static JsonNode parsed(ObjectMapper json, String text, String field) {
        try {
            return json.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ProviderException.of(ProviderException.Kind.BAD_INPUT, field + " must be JSON");
        }
    }

    /** The client's decimal text travels as a JSON number with the digits it wrote (no binary rounding). */
    private static BigDecimal temperature(String text) {
        try {
            return new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            throw ProviderException.of(ProviderException.Kind.BAD_INPUT, "temperature must be a decimal number");
        }
    }

    /** The generated text of a {@code result}: Cloudflare's {@code response}, or an OpenAI-shaped message. */
    static String responseText(JsonNode result) {
        JsonNode response = result.path("response");
        if (response.isTextual()) {
            return response.asText();
        }
        if (!response.isMissingNode() && !response.isNull()) {
            // JSON mode answers with an object: hand it on as its JSON text.
            return response.toString();
        }
        JsonNode content = result.path("choices").path(0).path("message").path("content");
        return content.isTextual() ? content.asText() : null;
    }

    /**
     * The function calls of a {@code result} as Workers AI wrote them, as JSON text: {@code result.tool_calls}
     * ({@code [{"name","arguments":{…}}]}, or already OpenAI's form), or an OpenAI-shaped message's; null when there
     * are none.
     */
    static String toolCalls(JsonNode result) {
        JsonNode calls = result.path("tool_calls");
        if (calls.isArray() && !calls.isEmpty()) {
            return calls.toString();
        }
        JsonNode openAi = result.path("choices").path(0).path("message").path("tool_calls");
        return openAi.isArray() && !openAi.isEmpty() ? openAi.toString() : null;
    }

    static String finishReason(JsonNode result) {
        JsonNode reason = result.path("choices").path(0).path("finish_reason");
        if (reason.isTextual()) {
            return reason.asText();
        }
        return result.path("finish_reason").isTextual() ? result.path("finish_reason").asText() : null;
    }

    /** The usage Cloudflare reported, or null when it sent none or sent something unusable. */
    static ProviderUsage usage(JsonNode holder) {
        JsonNode usage = holder.path("usage");
        JsonNode prompt = usage.path("prompt_tokens");
        JsonNode completion = usage.path("completion_tokens");
        if (!prompt.canConvertToLong() || !completion.canConvertToLong()
                || !prompt.isIntegralNumber() || !completion.isIntegralNumber()
                || prompt.asLong() < 0 || completion.asLong() < 0) {
            return null;
        }
        return new ProviderUsage(prompt.asLong(), completion.asLong());
    }

    static void addModels(JsonNode results, List<ModelInfo> into) {
        for (JsonNode model : results) {
            JsonNode name = model.path("name");
            if (!name.isTextual() || name.asText().isBlank()) {
                continue;
            }
            JsonNode task = model.path("task").path("name");
            into.add(new ModelInfo(name.asText(), name.asText(), task.isTextual() ? task.asText() : null));
        }
    }

    /**
     * {@code result.data} as one vector per text, or null when it is not exactly {@code expected} arrays of numbers
     * of one length ({@code result.shape}, when present, must agree).
     */
    static List<EmbeddingVector> vectors(JsonNode result, int expected) {
        JsonNode data = result.path("data");
        if (!data.isArray() || data.size() != expected) {
            return null;
        }
        List<EmbeddingVector> vectors = new ArrayList<>(expected);
        int dimensions = -1;
        for (JsonNode row : data) {
            if (!row.isArray() || row.isEmpty() || (dimensions >= 0 && row.size() != dimensions)) {
                return null;
            }
            dimensions = row.size();
            java.nio.ByteBuffer vector = java.nio.ByteBuffer.allocate(dimensions * 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < dimensions; i++) {
                if (!row.get(i).isNumber()) {
                    return null;
                }
                vector.putFloat(row.get(i).floatValue());
            }
            vectors.add(EmbeddingVector.ofBinary32(vector.array()));
        }
        JsonNode shape = result.path("shape");
        if (shape.isArray() && (shape.path(0).asInt(-1) != expected || shape.path(1).asInt(-1) != dimensions)) {
            return null;
        }
        return vectors;
    }

    /** Input-only usage ({@code prompt_tokens}) for embeddings, when a model reports it; null otherwise. */
    static ProviderUsage inputUsage(JsonNode result) {
        JsonNode prompt = result.path("usage").path("prompt_tokens");
        if (!prompt.isIntegralNumber() || !prompt.canConvertToLong() || prompt.asLong() < 0) {
            return null;
        }
        return new ProviderUsage(prompt.asLong(), 0);
    }

    /** {@code result.image} decoded from base64, or null when absent or not base64. */
    static byte[] base64Image(JsonNode result) {
        JsonNode image = result.path("image");
        if (!image.isTextual() || image.asText().isEmpty()) {
            return null;
        }
        String text = image.asText();
        int comma = text.startsWith("data:") ? text.indexOf(',') : -1;
        try {
            byte[] bytes = Base64.getDecoder().decode(text.substring(comma + 1).replaceAll("\\s+", ""));
            return bytes.length == 0 ? null : bytes;
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    static boolean looksLikeImage(byte[] bytes) {
        return imageType(bytes) != null;
    }

    /** image/png or image/jpeg by the file's magic bytes; null for anything else. */
    static String imageType(byte[] bytes) {
        if (bytes.length >= 8 && (bytes[0] & 0xFF) == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G') {
            return "image/png";
        }
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
            return "image/jpeg";
        }
        return null;
    }

    /** Whisper's result; null when it has no text. Word times are kept as the decimal text Cloudflare wrote. */
    static Transcription transcription(JsonNode result) {
        JsonNode text = result.path("text");
        if (!text.isTextual()) {
            return null;
        }
        List<Transcription.Word> words = new ArrayList<>();
        for (JsonNode word : result.path("words")) {
            words.add(new Transcription.Word(word.path("word").asText(""), decimal(word.path("start")),
                    decimal(word.path("end"))));
        }
        JsonNode count = result.path("word_count");
        JsonNode vtt = result.path("vtt");
        return new Transcription(text.asText(), count.isIntegralNumber() ? count.asInt() : null, words,
                vtt.isTextual() ? vtt.asText() : null);
    }

    private static String decimal(JsonNode number) {
        return number.isNumber() ? number.decimalValue().toPlainString() : null;
    }
}
