package dev.tollgate.domain.metering;

import java.util.OptionalLong;

/**
 * How many 512×512 tiles an image covers, for Cloudflare's per-tile image price (ADR 10): ⌈width/512⌉ ×
 * ⌈height/512⌉, read from the PNG or JPEG header of the image the provider returned.
 */
public final class ImageTiles {
    static final int TILE = 512;
    /** Text-to-image models on Workers AI draw 1024×1024 unless told otherwise: the hold assumes that size. */
    public static final long DEFAULT_TILES = 4;

    private ImageTiles() {
    }

    public static long of(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("an image has a positive width and height");
        }
        return (long) ((width + TILE - 1) / TILE) * ((height + TILE - 1) / TILE);
    }

    /** The tiles of a PNG or JPEG image; empty when neither header can be read. */
    public static OptionalLong of(byte[] image) {
        int[] size = png(image);
        if (size == null) {
            size = jpeg(image);
        }
        return size == null ? OptionalLong.empty() : OptionalLong.of(of(size[0], size[1]));
    }

    /** PNG: the 8-byte signature, then the IHDR chunk whose first fields are width and height (big-endian). */
    private static int[] png(byte[] b) {
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        if (b.length < 24) {
            return null;
        }
        for (int i = 0; i < signature.length; i++) {
            if (b[i] != signature[i]) {
                return null;
            }
        }
        if (b[12] != 'I' || b[13] != 'H' || b[14] != 'D' || b[15] != 'R') {
            return null;
        }
        return positive(int32(b, 16), int32(b, 20));
    }

    /** JPEG: walk the markers to the first start-of-frame, which carries height then width. */
    private static int[] jpeg(byte[] b) {
        if (b.length < 4 || (b[0] & 0xFF) != 0xFF || (b[1] & 0xFF) != 0xD8) {
            return null;
        }
        int at = 2;
        while (at + 4 <= b.length) {
            if ((b[at] & 0xFF) != 0xFF) {
                return null;
            }
            int marker = b[at + 1] & 0xFF;
            if (marker == 0xFF) {
                at++;
                continue;
            }
            int length = (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                if (at + 9 > b.length) {
                    return null;
                }
                int height = (b[at + 5] & 0xFF) << 8 | (b[at + 6] & 0xFF);
                int width = (b[at + 7] & 0xFF) << 8 | (b[at + 8] & 0xFF);
                return positive(width, height);
            }
            if (length < 2) {
                return null;
            }
            at += 2 + length;
        }
        return null;
    }

    private static int[] positive(long width, long height) {
        if (width < 1 || height < 1 || width > 65_535 || height > 65_535) {
            return null;
        }
        return new int[] {(int) width, (int) height};
    }

    private static long int32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | (b[at + 3] & 0xFFL);
    }
}
