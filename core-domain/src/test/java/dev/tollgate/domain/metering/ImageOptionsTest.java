package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageOptionsTest {

    @Test
    void aPictureOfNoChosenSizeIsHeldForAs1024By1024() {
        // given a call that chose no size, and one that chose only its width
        // then the first is the four tiles Workers AI draws by default, the second 2048 by 1024
        assertThat(ImageOptions.NONE.tiles()).isEqualTo(ImageTiles.DEFAULT_TILES);
        assertThat(new ImageOptions(null, 2048, null, null, null).tiles()).isEqualTo(8);
    }

    @Test
    void aChosenSizeIsCountedInWholeTilesRoundedUp() {
        // given a picture 600 by 256
        ImageOptions options = new ImageOptions(null, 600, 256, null, null);
        // then it covers two tiles across and one down
        assertThat(options.tiles()).isEqualTo(2);
    }

    @Test
    void aSideWorkersAiDoesNotDrawOrANegativeSeedIsRefused() {
        // given sides outside 256..2048 and a negative seed
        // then each is refused before any call
        for (List<Integer> sides : List.of(List.of(255, 512), List.of(512, 2049))) {
            assertThatThrownBy(() -> new ImageOptions(null, sides.get(0), sides.get(1), null, null))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new ImageOptions(null, null, null, null, -1L))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
