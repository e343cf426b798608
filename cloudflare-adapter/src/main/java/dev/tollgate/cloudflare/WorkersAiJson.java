package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderUsage;

import java.math.BigDecimal;
import java.util.List;

/** The JSON shapes of {@code /ai/run/{model}} and the catalog: request bodies out, results in. */
final class WorkersAiJson {

    private WorkersAiJson() {
    }

    static ObjectNode runBody(ObjectMapper json, ChatRequest request, boolean stream) {
        ObjectNode body = json.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        body.put("max_tokens", request.maxTokens());
        if (request.temperature() != null) {
            body.put("temperature", temperature(request.temperature()));
        }
        body.put("stream", stream);
        return body;
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
}
