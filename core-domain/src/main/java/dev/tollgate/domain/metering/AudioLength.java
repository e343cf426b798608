package dev.tollgate.domain.metering;

import java.util.List;
import java.util.OptionalLong;

/**
 * How long a recording is, for billing per audio minute (ADR 10). Workers AI's speech models report no duration,
 * so Tollgate measures: exactly from a WAV header, otherwise from the end of the last word the model heard, and
 * as a last resort from the file's size at 16 kbit/s — a bitrate below any usable speech recording, so that
 * figure is an upper bound and is what a hold is sized on when the length cannot be read.
 */
public final class AudioLength {
    /** 16 kbit/s = 2 bytes per millisecond. */
    static final long BYTES_PER_MILLISECOND_FLOOR = 2;

    private AudioLength() {
    }

    /** The length to hold for: exact for WAV, the size-based upper bound otherwise; at least 1 ms. */
    public static long boundMillis(byte[] audio) {
        return Math.max(1, wavMillis(audio).orElse(ceilDiv(audio.length, BYTES_PER_MILLISECOND_FLOOR)));
    }

    /** The length to charge once the model has answered; at least 1 ms. */
    public static long chargedMillis(byte[] audio, Transcription heard) {
        OptionalLong wav = wavMillis(audio);
        if (wav.isPresent()) {
            return Math.max(1, wav.getAsLong());
        }
        OptionalLong lastWord = lastWordEndMillis(heard.words());
        return Math.max(1, lastWord.orElse(ceilDiv(audio.length, BYTES_PER_MILLISECOND_FLOOR)));
    }

    /**
     * A RIFF/WAVE file's length: data bytes ÷ byte rate, rounded up to the millisecond. Empty when the bytes are not
     * a WAV file whose header can be trusted.
     */
    public static OptionalLong wavMillis(byte[] audio) {
        if (audio.length < 12 || !ascii(audio, 0, "RIFF") || !ascii(audio, 8, "WAVE")) {
            return OptionalLong.empty();
        }
        long byteRate = -1;
        int at = 12;
        while (at + 8 <= audio.length) {
            long size = uint32(audio, at + 4);
            if (ascii(audio, at, "fmt ") && at + 20 <= audio.length) {
                byteRate = uint32(audio, at + 16);
            } else if (ascii(audio, at, "data")) {
                if (byteRate <= 0) {
                    return OptionalLong.empty();
                }
                // A streamed WAV may say 0 or 0xFFFFFFFF here: then the bytes that are really there count.
                long available = audio.length - (at + 8L);
                long dataBytes = size == 0 || size > available ? available : size;
                return OptionalLong.of(ceilDiv(Math.multiplyExact(dataBytes, 1000L), byteRate));
            }
            at = Math.addExact(at, 8 + (int) Math.min(size + (size & 1), Integer.MAX_VALUE - at - 16));
        }
        return OptionalLong.empty();
    }

    /** The latest word end the model reported, in milliseconds rounded up; empty when it reported none. */
    static OptionalLong lastWordEndMillis(List<Transcription.Word> words) {
        long latest = -1;
        for (Transcription.Word word : words) {
            if (word.end() == null) {
                continue;
            }
            try {
                java.math.BigDecimal seconds = new java.math.BigDecimal(word.end().strip());
                if (seconds.signum() >= 0 && seconds.compareTo(java.math.BigDecimal.valueOf(86_400)) <= 0) {
                    long millis = seconds.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING)
                            .longValueExact();
                    latest = Math.max(latest, millis);
                }
            } catch (NumberFormatException | ArithmeticException unreadable) {
                // A word without a usable time tells nothing about the length.
            }
        }
        return latest < 0 ? OptionalLong.empty() : OptionalLong.of(latest);
    }

    private static boolean ascii(byte[] bytes, int at, String text) {
        if (at + text.length() > bytes.length) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (bytes[at + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    private static long ceilDiv(long numerator, long denominator) {
        return numerator / denominator + (numerator % denominator == 0 ? 0 : 1);
    }
}
