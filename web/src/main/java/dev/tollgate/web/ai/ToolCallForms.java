package dev.tollgate.web.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.web.ledger.Fingerprint;

/**
 * The function calls a model asked for, in each surface's form (ADR 44). Workers AI writes them as
 * {@code [{"name","arguments":{…}}]} or already in OpenAI's form; OpenAI's clients expect
 * {@code [{"id","type":"function","function":{"name","arguments":"<JSON text>"}}]}. A call without an id gets one made
 * from the call's request id and place, so a replay of the answer names the same calls.
 */
public final class ToolCallForms {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ToolCallForms() {
    }

    /** The calls exactly as the provider wrote them; null for none. */
    public static JsonNode asGiven(String toolCalls) {
        return toolCalls == null ? null : parse(toolCalls);
    }

    /** The calls in OpenAI's form, in order; null for none. */
    public static ArrayNode openAi(String toolCalls, String requestId) {
        if (toolCalls == null) {
            return null;
        }
        ArrayNode calls = JsonNodeFactory.instance.arrayNode();
        JsonNode given = parse(toolCalls);
        for (int i = 0; i < given.size(); i++) {
            JsonNode call = given.get(i);
            if (!call.isObject()) {
                continue;
            }
            JsonNode function = call.path("function").isObject() ? call.get("function") : call;
            JsonNode id = call.path("id");
            ObjectNode out = calls.addObject()
                    .put("id", id.isTextual() && !id.asText().isBlank() ? id.asText() : madeId(requestId, i))
                    .put("type", "function");
            out.putObject("function").put("name", function.path("name").asText(""))
                    .put("arguments", argumentsText(function.path("arguments")));
        }
        return calls.isEmpty() ? null : calls;
    }

    /** OpenAI's arguments are the JSON text of an object; Workers AI's own form gives the object itself. */
    private static String argumentsText(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.textValue();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "{}" : arguments.toString();
    }

    private static String madeId(String requestId, int index) {
        return "call_" + Fingerprint.of("tool-call", requestId, index).substring(0, 24);
    }

    private static JsonNode parse(String toolCalls) {
        try {
            return JSON.readTree(toolCalls);
        } catch (JsonProcessingException impossible) {
            // The adapter wrote this text from a parsed answer; it is JSON.
            throw new IllegalStateException("tool calls that are not JSON", impossible);
        }
    }
}
