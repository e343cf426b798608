package dev.tollgate.domain.metering;

import java.util.List;

/** Texts to embed with one model; Workers AI takes at most 100 in one call. */
public record EmbeddingRequest(String model, List<String> texts) {
    public static final int MAX_TEXTS = 100;

    public EmbeddingRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
        if (texts == null || texts.isEmpty() || texts.size() > MAX_TEXTS) {
            throw new IllegalArgumentException("send from 1 to " + MAX_TEXTS + " texts to embed");
        }
        if (texts.stream().anyMatch(t -> t == null)) {
            throw new IllegalArgumentException("a text to embed cannot be null");
        }
        texts = List.copyOf(texts);
    }
}
