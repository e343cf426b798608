package dev.tollgate.domain.metering;

/** Token counts as the provider reported them (never summed from incremental stream chunks). */
public record ProviderUsage(long inputTokens, long outputTokens) {
    public ProviderUsage {
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
    }
}
