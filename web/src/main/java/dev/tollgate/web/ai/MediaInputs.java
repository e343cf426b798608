package dev.tollgate.web.ai;

import dev.tollgate.domain.metering.EmbeddingVector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.domain.metering.ImageOptions;
import dev.tollgate.domain.metering.EmbeddingRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the inputs of media calls the same way on every surface. A bad input is an {@link IllegalArgumentException}
 * whose message is written for the client; each surface answers it in its own error shape.
 */
public final class MediaInputs {
    /** Workers AI's own request limit is about this size; a larger body would only be refused upstream. */
    public static final int MAX_MEDIA_BYTES = 25 * 1024 * 1024;

    private MediaInputs() {
    }

    /** A string or a non-empty array of at most 100 strings, none of them empty. */
    public static List<String> texts(JsonNode node, String field) {
        if (node != null && node.isTextual()) {
            return List.of(nonEmpty(node.textValue(), field));
        }
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException(field + " must be a string or a non-empty array of strings");
        }
        if (node.size() > EmbeddingRequest.MAX_TEXTS) {
            throw new IllegalArgumentException(field + " may hold at most " + EmbeddingRequest.MAX_TEXTS + " texts");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode text : node) {
            if (!text.isTextual()) {
                throw new IllegalArgumentException(field + " must hold strings only");
            }
            texts.add(nonEmpty(text.textValue(), field));
        }
        return texts;
    }

    // Workers AI would embed an empty text, and the caller would pay for nothing.
    private static String nonEmpty(String text, String field) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty: send non-empty strings");
        }
        return text;
    }

    /**
     * Bytes as Workers AI takes them, an array of integers 0–255 ({@code [uint8, …]}), or as base64 text
     * ({@link #base64}). The JSON body's own limit bounds the array's length.
     */
    public static byte[] bytes(JsonNode node, String field) {
        if (node != null && node.isArray() && !node.isEmpty()) {
            byte[] bytes = new byte[node.size()];
            for (int i = 0; i < bytes.length; i++) {
                JsonNode value = node.get(i);
                if (!value.isIntegralNumber() || value.asInt() < 0 || value.asInt() > 255) {
                    throw new IllegalArgumentException(field + " must hold bytes (0-255) or be base64 text");
                }
                bytes[i] = (byte) value.asInt();
            }
            return bytes;
        }
        return base64(node, field);
    }

    /** Base64 (standard or URL-safe, or a {@code data:…;base64,} URL) to bytes; empty or undecodable is refused. */
    public static byte[] base64(JsonNode node, String field) {
        if (node == null || !node.isTextual() || node.textValue().isBlank()) {
            throw new IllegalArgumentException(field + " must be base64 text");
        }
        String text = node.textValue().strip();
        if (text.startsWith("data:")) {
            int comma = text.indexOf(',');
            if (comma < 0 || !text.substring(0, comma).endsWith(";base64")) {
                throw new IllegalArgumentException(field + " must be a base64 data URL");
            }
            text = text.substring(comma + 1);
        }
        // Line breaks are allowed (MIME wraps at 76); any other stray character is refused rather than skipped.
        text = text.replaceAll("\\s+", "");
        byte[] bytes;
        try {
            bytes = text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(text)
                    : Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException(field + " is not valid base64");
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException(field + " is empty");
        }
        return bytes;
    }

    /** Little-endian IEEE 754 float32s in base64, as OpenAI's {@code encoding_format: "base64"} sends vectors. */
    public static String base64Floats(EmbeddingVector vector) {
        return Base64.getEncoder().encodeToString(vector.binary32());
    }

    /** The vector's numbers, for a JSON answer. */
    public static float[] floats(EmbeddingVector vector) {
        java.nio.FloatBuffer numbers = java.nio.ByteBuffer.wrap(vector.binary32())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[numbers.remaining()];
        numbers.get(values);
        return values;
    }

    /** A vector of these numbers. */
    public static EmbeddingVector vector(float[] values) {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(values.length * 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float value : values) {
            bytes.putFloat(value);
        }
        return EmbeddingVector.ofBinary32(bytes.array());
    }

    /**
     * What a Stable Diffusion XL call chose besides prompt and steps ({@code negative_prompt}, {@code width},
     * {@code height}, {@code guidance}, {@code seed}); flux takes none, so for it they are not read.
     */
    public static ImageOptions imageOptions(JsonNode body, boolean flux) {
        if (flux) {
            return ImageOptions.NONE;
        }
        JsonNode negative = body.get("negative_prompt");
        if (negative != null && !negative.isNull() && !negative.isTextual()) {
            throw new IllegalArgumentException("negative_prompt must be a string");
        }
        JsonNode guidance = body.get("guidance");
        if (guidance != null && !guidance.isNull() && !guidance.isNumber()) {
            throw new IllegalArgumentException("guidance must be a number");
        }
        JsonNode seed = body.get("seed");
        if (seed != null && !seed.isNull() && (!seed.isIntegralNumber() || !seed.canConvertToLong())) {
            throw new IllegalArgumentException("seed must be a whole number");
        }
        return new ImageOptions(negative == null || negative.isNull() ? null : negative.textValue(),
                side(body, "width"), side(body, "height"),
                guidance == null || guidance.isNull() ? null : guidance.decimalValue().toPlainString(),
                seed == null || seed.isNull() ? null : seed.longValue());
    }

    private static Integer side(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || node.asLong() < ImageOptions.MIN_SIDE || node.asLong() > ImageOptions.MAX_SIDE) {
            throw new IllegalArgumentException(field + " must be a whole number from " + ImageOptions.MIN_SIDE + " to "
                    + ImageOptions.MAX_SIDE);
        }
        return node.intValue();
    }

    /** bge's {@code pooling}, {@code "mean"} or {@code "cls"}; null when not chosen. */
    public static String pooling(JsonNode body) {
        JsonNode node = body.get("pooling");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !(node.textValue().equals("mean") || node.textValue().equals("cls"))) {
            throw new IllegalArgumentException("pooling must be \"mean\" or \"cls\"");
        }
        return node.textValue();
    }
}
