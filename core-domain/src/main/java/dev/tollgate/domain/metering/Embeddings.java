package dev.tollgate.domain.metering;

import java.util.List;

/**
 * One vector per text, in the order of the request. {@code usage} is null when the provider reported none (Workers
 * AI's embedding models do not): the caller then estimates the input tokens and says so.
 */
public record Embeddings(List<EmbeddingVector> vectors, ProviderUsage usage) {
    public Embeddings {
        vectors = List.copyOf(vectors);
    }

    public int dimensions() {
        return vectors.isEmpty() ? 0 : vectors.get(0).dimensions();
    }
}
