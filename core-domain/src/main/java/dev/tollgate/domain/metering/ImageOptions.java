package dev.tollgate.domain.metering;

/**
 * What a Stable Diffusion XL call may choose beyond its prompt and steps, as Workers AI's model page names it; each
 * null when not chosen. Flux takes none of them. A chosen size sets the hold's tiles, so a large picture is held for
 * before it is drawn.
 *
 * @param guidance how closely to follow the prompt, as the caller's decimal text (nothing here computes with it)
 */
public record ImageOptions(String negativePrompt, Integer width, Integer height, String guidance, Long seed) {
    public static final ImageOptions NONE = new ImageOptions(null, null, null, null, null);
    public static final int MIN_SIDE = 256;
    public static final int MAX_SIDE = 2048;

    public ImageOptions {
        for (Integer side : new Integer[] {width, height}) {
            if (side != null && (side < MIN_SIDE || side > MAX_SIDE)) {
                throw new IllegalArgumentException("width and height are from " + MIN_SIDE + " to " + MAX_SIDE);
            }
        }
        if (seed != null && seed < 0) {
            throw new IllegalArgumentException("seed cannot be negative");
        }
    }

    /** The tiles of the picture asked for: 1024 on a side not chosen, as Workers AI draws by default. */
    public long tiles() {
        if (width == null && height == null) {
            return ImageTiles.DEFAULT_TILES;
        }
        return ImageTiles.of(width == null ? 1024 : width, height == null ? 1024 : height);
    }
}
