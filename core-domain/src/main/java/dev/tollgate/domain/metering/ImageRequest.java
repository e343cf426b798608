package dev.tollgate.domain.metering;

/** A text-to-image call: the prompt and how many diffusion steps to run (the charge counts them). */
public record ImageRequest(String model, String prompt, int steps) {
    public ImageRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("model is required");
        }
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("prompt is required");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("steps must be at least 1");
        }
    }
}
