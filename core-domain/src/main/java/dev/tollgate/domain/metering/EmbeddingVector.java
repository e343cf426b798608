package dev.tollgate.domain.metering;

import java.util.Arrays;

/**
 * One embedding, kept as the provider's numbers in IEEE 754 binary32, little-endian: exactly the bytes of OpenAI's
 * {@code encoding_format: "base64"}. The domain only carries vectors from the provider to the caller and never
 * computes with them, so it holds them as opaque bytes; the edges (the adapter, the HTTP answers) read and write the
 * numbers. This also keeps every fractional number type out of the modules that handle money.
 */
public final class EmbeddingVector {
    private final byte[] binary32;

    private EmbeddingVector(byte[] binary32) {
        this.binary32 = binary32;
    }

    /** From the bytes of its numbers, four little-endian bytes each. */
    public static EmbeddingVector ofBinary32(byte[] littleEndian) {
        if (littleEndian == null || littleEndian.length == 0 || littleEndian.length % 4 != 0) {
            throw new IllegalArgumentException("a vector is one or more numbers of four bytes each");
        }
        return new EmbeddingVector(littleEndian.clone());
    }

    public int dimensions() {
        return binary32.length / 4;
    }

    /** A copy of its bytes: four little-endian bytes per number. */
    public byte[] binary32() {
        return binary32.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EmbeddingVector vector && Arrays.equals(binary32, vector.binary32);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(binary32);
    }

    @Override
    public String toString() {
        return "EmbeddingVector[" + dimensions() + " dimensions]";
    }
}
