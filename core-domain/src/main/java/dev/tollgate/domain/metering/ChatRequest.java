package dev.tollgate.domain.metering;

import java.util.List;

/**
 * A text-generation call as Tollgate hands it to a provider. {@code temperature} travels as the client's decimal
 * text (validated at the edge) because nothing here computes with it.
 *
 * @param maxTokens the most output tokens the provider may produce; the hold is sized on it
 * @param sampling  the other sampling fields the caller sent (none by default)
 */
public record ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String temperature,
                          Sampling sampling) {
    /** A call with no sampling fields beyond {@code temperature}. */
    public ChatRequest(String model, List<ChatMessage> messages, int maxTokens, String temperature) {
        this(model, messages, maxTokens, temperature, Sampling.NONE);
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
        messages = List.copyOf(messages);
    }
}
