package dev.tollgate.domain.metering;

/**
 * What a provider answered. {@code usage} is null when the provider did not report it; the caller then
 * estimates and records that the figure is an estimate.
 */
public record ChatCompletion(String text, ProviderUsage usage, String finishReason) {
}
