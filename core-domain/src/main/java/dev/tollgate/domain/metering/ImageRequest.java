package dev.tollgate.domain.metering;

/**
 * A text-to-image call: the prompt, how many diffusion steps to run (the charge counts them), and what else a
 * Stable Diffusion XL call chose ({@link ImageOptions#NONE} for nothing).
 */
public record ImageRequest(String model, String prompt, int steps, ImageOptions options) {
    /** A call that chooses nothing beyond its prompt and steps. */
    public ImageRequest(String model, String prompt, int steps) {
        this(model, prompt, steps, ImageOptions.NONE);
    }

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
        if (options == null) {
            options = ImageOptions.NONE;
        }
    }
}
