package dev.tollgate.domain.metering;

/**
 * What a provider answered. {@code usage} is null when the provider did not report it; the caller then
 * estimates and records that the figure is an estimate.
 *
 * @param toolCalls the JSON text of the non-empty array of function calls the model asked for, as the provider wrote
 *                  them (each surface answers them in its own form, ADR 44); null when it asked for none
 */
public record ChatCompletion(String text, ProviderUsage usage, String finishReason, String toolCalls) {
    /** An answer of text alone. */
    public ChatCompletion(String text, ProviderUsage usage, String finishReason) {
        this(text, usage, finishReason, null);
    }

    public ChatCompletion {
        if (toolCalls != null && !toolCalls.strip().startsWith("[")) {
            throw new IllegalArgumentException("tool calls are a JSON array");
        }
    }
}
