package dev.tollgate.domain.metering;

/** A chat about one image: the chat as for text generation, plus the image's bytes. */
public record VisionChatRequest(ChatRequest chat, byte[] image) {
    /**
     * Tokens one image may add to the prompt: Llama 3.2 Vision cuts an image into at most 4 tiles of 1,601 tokens.
     * Used only to size the hold and, if the provider reports no usage, as the flagged estimate.
     */
    public static final long IMAGE_TOKENS = 4 * 1_601;

    public VisionChatRequest {
        if (chat == null) {
            throw new IllegalArgumentException("a vision chat has messages");
        }
        if (image == null || image.length == 0) {
            throw new IllegalArgumentException("a vision chat needs an image");
        }
    }
}
