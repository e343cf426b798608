package dev.tollgate.domain.metering;

/** A chat about one image: the chat as for text generation, plus the image's bytes. */
public record VisionChatRequest(ChatRequest chat, byte[] image) {
    public VisionChatRequest {
        if (chat == null) {
            throw new IllegalArgumentException("a vision chat has messages");
        }
        if (image == null || image.length == 0) {
            throw new IllegalArgumentException("a vision chat needs an image");
        }
    }
}
