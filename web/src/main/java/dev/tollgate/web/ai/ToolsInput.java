package dev.tollgate.web.ai;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Function calling as a chat body offers it, read alike on every surface (ADR 44). {@code tools} must be an array of
 * objects and is kept as the caller's JSON, since its schema is the model's business; {@code tool_choice} can only be
 * {@code "auto"} (what a model does anyway) or {@code "none"} (the tools are not sent), because Workers AI's
 * {@code /ai/run} documents no field that could force a call, and a choice silently dropped would fail unseen.
 */
public final class ToolsInput {
    private ToolsInput() {
    }

    /**
     * The tool definitions to send as JSON text; null when there are none, the list is empty or
     * {@code tool_choice} is {@code "none"}.
     *
     * @throws Invalid naming {@code tools} or {@code tool_choice}
     */
    public static String tools(JsonNode body) {
        boolean withheld = withheldByChoice(body.get("tool_choice"));
        JsonNode tools = body.get("tools");
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray() || !allObjects(tools)) {
            throw new Invalid("tools", "tools must be an array of objects (function definitions)");
        }
        return tools.isEmpty() || withheld ? null : tools.toString();
    }

    private static boolean withheldByChoice(JsonNode choice) {
        if (choice == null || choice.isNull() || choice.isTextual() && choice.textValue().equals("auto")) {
            return false;
        }
        if (choice.isTextual() && choice.textValue().equals("none")) {
            return true;
        }
        throw new Invalid("tool_choice", "tool_choice can be \"auto\" or \"none\": Workers AI offers no way to "
                + "require a tool call");
    }

    /**
     * The calls an assistant message made, as JSON text; null when it made none.
     *
     * @throws Invalid naming {@code messages} when they are not an array of objects, or sit on another role
     */
    private static String toolCalls(JsonNode message) {
        JsonNode calls = message.get("tool_calls");
        if (calls == null || calls.isNull()) {
            return null;
        }
        if (!calls.isArray() || !allObjects(calls)) {
            throw new Invalid("messages", "a message's tool_calls must be an array of objects");
        }
        if (!"assistant".equals(message.path("role").asText())) {
            throw new Invalid("messages", "only assistant messages carry tool_calls");
        }
        return calls.isEmpty() ? null : calls.toString();
    }

    /** A message's function-calling fields, each null when absent. */
    public record MessageFields(String toolCalls, String toolCallId, String toolName) {
    }

    /**
     * The function-calling fields of one message: an assistant's calls, and a {@code tool} message's
     * {@code tool_call_id} (the call it answers) and {@code name} (the function whose result it carries). On other
     * roles the last two are not read.
     *
     * @throws Invalid naming {@code messages} when one of them has the wrong shape
     */
    public static MessageFields of(JsonNode message) {
        return new MessageFields(toolCalls(message), toolText(message, "tool_call_id"), toolText(message, "name"));
    }

    private static String toolText(JsonNode message, String field) {
        JsonNode value = message.get(field);
        if (value == null || value.isNull() || !"tool".equals(message.path("role").asText())) {
            return null;
        }
        if (!value.isTextual()) {
            throw new Invalid("messages", "a tool message's " + field + " must be a string");
        }
        return value.textValue();
    }

    private static boolean allObjects(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isObject()) {
                return false;
            }
        }
        return true;
    }

    /** A function-calling field that cannot be sent; {@link #field()} names it for surfaces that point at it. */
    public static final class Invalid extends IllegalArgumentException {
        private final String field;

        Invalid(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
