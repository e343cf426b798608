package dev.tollgate.domain.metering;

import java.util.List;

/**
 * Texts to embed with one model; Workers AI takes at most 100 in one call. {@code pooling} is bge's choice of how
 * its vectors are pooled, {@code "mean"} or {@code "cls"} (the two give different vectors), or null for the model's
 * default.
 */
public record EmbeddingRequest(String model, List<String> texts, String pooling) {
    public static final int MAX_TEXTS = 100;

    /** Texts embedded with the model's default pooling. */
    public EmbeddingRequest(String model, List<String> texts) {
        this(model, texts, null);
    }

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
        if (pooling != null && !pooling.equals("mean") && !pooling.equals("cls")) {
            throw new IllegalArgumentException("pooling is mean or cls");
        }
        texts = List.copyOf(texts);
    }
}
