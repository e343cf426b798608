package dev.tollgate.domain.metering;

/** The image a model produced, as bytes, with its media type ("image/png" as Workers AI sends it). */
public record GeneratedImage(byte[] bytes, String contentType) {
    public GeneratedImage {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("an image has bytes");
        }
        contentType = contentType == null || contentType.isBlank() ? "image/png" : contentType;
    }
}
