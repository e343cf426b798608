package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.axonframework.common.DateTimeUtils;

/** The canonical reader agrees with java.time on every time it accepts, and declines every other text. */
class InstantTextTest {
    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the years that four digits can write. */
    private static final long FIRST = -62_167_219_200L;
    private static final long LAST = 253_402_300_799L;

    @Property
    void readsBackWhatJavaTimeAndAxonWrite(@ForAll @LongRange(min = FIRST, max = LAST) long second,
                                           @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
        Instant written = Instant.ofEpochSecond(second, nano);

        assertThat(InstantText.parseCanonical(written.toString())).isEqualTo(written);
        assertThat(InstantText.parseCanonical(DateTimeUtils.formatInstant(written)))
                .isEqualTo(DateTimeUtils.parseInstant(DateTimeUtils.formatInstant(written)));
    }

    @Property
    void writesEveryTimeExactlyAsAxonDoes(@ForAll @LongRange(min = FIRST, max = LAST) long second,
                                          @ForAll @IntRange(min = 0, max = 999_999_999) int nano) {
        Instant time = Instant.ofEpochSecond(second, nano);

        assertThat(InstantText.formatCanonical(time)).isEqualTo(DateTimeUtils.formatInstant(time));
    }

    @Example
    void writesTheMillisecondsAxonWritesAndLeavesOtherYearsToAxon() {
        String[][] written = {{"2026-11-23T08:46:48Z", "2026-11-23T08:46:48.000Z"},
                {"2026-11-23T08:46:48.691Z", "2026-11-23T08:46:48.691Z"},
                {"2026-11-23T08:46:48.6919Z", "2026-11-23T08:46:48.691Z"},
                {"1969-12-31T23:59:59.123456789Z", "1969-12-31T23:59:59.123Z"},
                {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z"},
                {"9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999Z"}};
        for (String[] pair : written) {
            Instant time = Instant.parse(pair[0]);
            assertThat(InstantText.formatCanonical(time)).isEqualTo(DateTimeUtils.formatInstant(time))
                    .isEqualTo(pair[1]);
        }
        assertThat(InstantText.formatCanonical(Instant.ofEpochSecond(LAST + 1))).isNull();
        assertThat(InstantText.formatCanonical(Instant.ofEpochSecond(FIRST - 1))).isNull();
    }

    @Property
    void neverReadsATextOtherwiseThanJavaTime(@ForAll("nearlyCanonical") String text) {
        Instant canonical = InstantText.parseCanonical(text);

        if (canonical != null) {
            assertThat(canonical).isEqualTo(Instant.from(DateTimeFormatter.ISO_INSTANT.parse(text)));
        } else if (!javaTimeReads(text)) {
            assertThat(canonical).isNull();
        }
    }

    @Example
    void declinesWhatIsNotTheCanonicalShape() {
        for (String text : new String[] {"2026-02-30T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T08:60:00Z",
                "2026-11-23T08:46:60Z", "2026-11-23T08:46:48.Z", "2026-11-23T08:46:48.1234567890Z",
                "2026-11-23T08:46:48z", "2026-11-23 08:46:48Z", "2026-11-23T08:46:48+01:00", "+12026-11-23T08:46:48Z",
                "2026-1-23T08:46:48Z", "２026-11-23T08:46:48Z", "", "2026-11-23T08:46:48"}) {
            assertThat(InstantText.parseCanonical(text)).as(text).isNull();
        }
    }

    @Example
    void readsEveryLengthOfFraction() {
        assertThat(InstantText.parseCanonical("2026-11-23T08:46:48Z")).isEqualTo(Instant.parse("2026-11-23T08:46:48Z"));
        assertThat(InstantText.parseCanonical("2026-11-23T08:46:48.5Z"))
                .isEqualTo(Instant.parse("2026-11-23T08:46:48.500Z"));
        assertThat(InstantText.parseCanonical("2024-02-29T23:59:59.000000001Z"))
                .isEqualTo(Instant.parse("2024-02-29T23:59:59.000000001Z"));
    }

    /** Canonical times with one character changed: most are wrong, a few still valid. */
    @Provide
    Arbitrary<String> nearlyCanonical() {
        Arbitrary<String> canonical = Arbitraries.longs().between(FIRST, LAST)
                .map(s -> Instant.ofEpochSecond(s, (s % 7) * 1_000_000).toString());
        return canonical.flatMap(text -> Arbitraries.integers().between(0, text.length() - 1)
                .flatMap(at -> Arbitraries.chars().with("0123456789-:.TZz+ ".toCharArray())
                        .map(c -> text.substring(0, at) + c + text.substring(at + 1))));
    }

    static boolean javaTimeReads(String text) {
        try {
            DateTimeFormatter.ISO_INSTANT.parse(text);
            return true;
        } catch (DateTimeParseException unreadable) {
            return false;
        }
    }
}
