package dev.tollgate.domain.metering;

import java.util.List;

/**
 * A text-generation call as Tollgate hands it to a provider. {@code temperature} travels as the client's decimal
 * text (validated at the edge) because nothing here computes with it.
 *
 * @param maxTokens the most output tokens the provider may produce; the hold is sized on it
 * @param sampling  the other sampling fields the caller sent (none by default)
 * @param tools     the JSON text of the non-empty array of tool definitions the caller sent, passed on unchanged
 *                  (ADR 44); null for none. They become prompt tokens upstream, so the hold counts them.
 */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String temperature,
                          Sampling sampling, String tools) {
    /** A call with no sampling fields beyond {@code temperature}. */
    public ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String temperature) {
        this(model, messages, maxTokens, temperature, Sampling.NONE);
    }

    /** A call that offers the model no tools. */
    public ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String temperature,
                       Sampling sampling) {
        this(model, messages, maxTokens, temperature, sampling, null);
    }

    public ChatRequest {
        if (sampling == null) {
            sampling = Sampling.NONE;
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("max_tokens must be at least 1");
        }
        if (tools != null && !tools.strip().startsWith("[")) {
            throw new IllegalArgumentException("tools are a JSON array");
        }
        messages = List.copyOf(messages);
    }
}
