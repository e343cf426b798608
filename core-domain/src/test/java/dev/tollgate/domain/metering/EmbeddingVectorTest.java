package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A vector is opaque bytes, four per number; it cannot be changed through what it was built from or gives out. */
class EmbeddingVectorTest {

    @Test
    void itCountsFourBytesPerNumberAndKeepsItsOwnCopy() {
        byte[] bytes = {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0};
        EmbeddingVector vector = EmbeddingVector.ofBinary32(bytes);
        bytes[0] = 9;
        vector.binary32()[1] = 9;

        assertThat(vector.dimensions()).isEqualTo(2);
        assertThat(vector.binary32()).containsExactly(0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0);
        assertThat(vector).isEqualTo(EmbeddingVector.ofBinary32(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, 0}));
    }

    @Test
    void bytesThatAreNotWholeNumbersAreRefused() {
        assertThatThrownBy(() -> EmbeddingVector.ofBinary32(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingVector.ofBinary32(new byte[5])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddingVector.ofBinary32(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
