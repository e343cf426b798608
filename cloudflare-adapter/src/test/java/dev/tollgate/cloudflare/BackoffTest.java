package dev.tollgate.cloudflare;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    private static Backoff withRandom(double random) {
        return new Backoff(Backoff.BASE, Backoff.CAP, () -> random);
    }

    @Test
    void firstRetryWaitsAroundOneHundredMillisecondsGivenOrTakeHalf() {
        assertThat(withRandom(0.0).delay(0, null)).isEqualTo(Duration.ofMillis(50));
        assertThat(withRandom(0.5).delay(0, null)).isEqualTo(Duration.ofMillis(100));
        assertThat(withRandom(0.999).delay(0, null)).isBetween(Duration.ofMillis(149), Duration.ofMillis(150));
    }

    @Test
    void eachRetryDoublesTheWait() {
        assertThat(withRandom(0.5).delay(1, null)).isEqualTo(Duration.ofMillis(200));
        assertThat(withRandom(0.5).delay(2, null)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void waitNeverExceedsTheCap() {
        assertThat(withRandom(0.999).delay(30, null)).isEqualTo(Backoff.CAP);
    }

    @Test
    void retryAfterWithinTheCapIsAFloor() {
        assertThat(withRandom(0.5).waitsFor(2L)).isTrue();
        assertThat(withRandom(0.5).delay(0, 1L)).isEqualTo(Duration.ofSeconds(1));
        assertThat(withRandom(0.0).delay(0, 2L)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterBeyondTheCapIsNotWaitedFor() {
        assertThat(withRandom(0.5).waitsFor(3L)).isFalse();
        assertThat(withRandom(0.5).waitsFor(null)).isTrue();
    }
}
