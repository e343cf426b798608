package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a media call is charged on, measured from the bytes themselves. */
class MediaMeasuresTest {

    /** A PCM WAV header and {@code dataBytes} of silence. */
    static byte[] wav(int sampleRate, int channels, int bitsPerSample, int dataBytes) {
        int byteRate = sampleRate * channels * bitsPerSample / 8;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + dataBytes).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(sampleRate)
                .putInt(byteRate).putShort((short) (channels * bitsPerSample / 8)).putShort((short) bitsPerSample);
        b.put("data".getBytes()).putInt(dataBytes);
        return b.array();
    }

    static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        b.putInt(13).put("IHDR".getBytes()).putInt(width).putInt(height).put(new byte[] {8, 6, 0, 0, 0});
        b.putInt(0);
        return b.array();
    }

    @Test
    void aWavFileIsAsLongAsItsDataAtItsByteRate() {
        // given 16 kHz mono 16-bit audio: 32,000 bytes per second, and 48,016 data bytes
        byte[] audio = wav(16_000, 1, 16, 48_016);
        // then it lasts 1,500.5 ms, which is 1,501 ms rounded up, both for the hold and the charge
        assertThat(AudioLength.wavMillis(audio)).hasValue(1_501);
        assertThat(AudioLength.boundMillis(audio)).isEqualTo(1_501);
        assertThat(AudioLength.chargedMillis(audio, new Transcription("hi", 1,
                List.of(new Transcription.Word("hi", "0.1", "0.4")), null))).isEqualTo(1_501);
    }

    @Test
    void otherAudioIsHeldAtSixteenKilobitsAndChargedToTheLastWordHeard() {
        // given 100,000 bytes that are not WAV (an mp3, say)
        byte[] audio = new byte[100_000];
        audio[0] = 'I';
        audio[1] = 'D';
        audio[2] = '3';
        Transcription heard = new Transcription("one two", 2, List.of(new Transcription.Word("one", "0.0", "1.2"),
                new Transcription.Word("two", "1.3", "2.0004")), null);
        // then the hold covers 50 s (2 bytes per ms) and the charge is 2,000.4 ms → 2,001 ms
        assertThat(AudioLength.boundMillis(audio)).isEqualTo(50_000);
        assertThat(AudioLength.chargedMillis(audio, heard)).isEqualTo(2_001);
        // and without any word times the charge falls back to the bound that was held
        assertThat(AudioLength.chargedMillis(audio, new Transcription("", 0, List.of(), null))).isEqualTo(50_000);
    }

    @Test
    void anImageCoversWholeTilesOfFiveHundredTwelvePixels() {
        assertThat(ImageTiles.of(png(1024, 1024))).hasValue(4);
        assertThat(ImageTiles.of(png(513, 512))).hasValue(2);
        assertThat(ImageTiles.of(png(512, 512))).hasValue(1);
        assertThat(ImageTiles.of(png(1280, 720))).hasValue(6);
    }

    @Test
    void aJpegIsMeasuredFromItsStartOfFrame() {
        // given SOI, an APP0 segment of 16 bytes, then SOF0 with height 768 and width 1024
        byte[] jpeg = new byte[2 + 18 + 11];
        jpeg[0] = (byte) 0xFF;
        jpeg[1] = (byte) 0xD8;
        jpeg[2] = (byte) 0xFF;
        jpeg[3] = (byte) 0xE0;
        jpeg[5] = 16;
        int sof = 20;
        jpeg[sof] = (byte) 0xFF;
        jpeg[sof + 1] = (byte) 0xC0;
        jpeg[sof + 3] = 11;
        jpeg[sof + 4] = 8;
        jpeg[sof + 5] = 0x03;
        jpeg[sof + 6] = 0x00;
        jpeg[sof + 7] = 0x04;
        jpeg[sof + 8] = 0x00;
        assertThat(ImageTiles.of(jpeg)).hasValue(4);
    }

    @Test
    void bytesThatAreNoImageHaveNoTiles() {
        assertThat(ImageTiles.of("not an image at all, just text".getBytes())).isEmpty();
    }
}
