package dev.tollgate.cloudflare;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Delay before retry n: base × 2^n, jittered by ±50% so callers that failed together do not come back together,
 * never above the cap. A Retry-After from Cloudflare is a floor. One beyond the cap is not waited out at all: a
 * caller is never parked for minutes inside one request, and coming back sooner than asked only earns another
 * refusal, so the wait is handed to the caller instead.
 */
final class Backoff {

    static final Duration BASE = Duration.ofMillis(100);
    static final Duration CAP = Duration.ofSeconds(2);

    private final long baseMillis;
    private final long capMillis;
    private final DoubleSupplier random;

    Backoff(Duration base, Duration cap, DoubleSupplier random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.random = random;
    }

    static Backoff standard() {
        return new Backoff(BASE, CAP, () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    }

    /** Whether Cloudflare's Retry-After (or none, when null) is a wait this backoff would make. */
    boolean waitsFor(Long retryAfterSeconds) {
        return retryAfterSeconds == null || retryAfterSeconds * 1000 <= capMillis;
    }

    /**
     * Never less than a Retry-After that {@link #waitsFor} accepts.
     *
     * @param retry 0 for the first retry; @param retryAfterSeconds Cloudflare's hint, or null
     */
    Duration delay(int retry, Long retryAfterSeconds) {
        long exponential = baseMillis << Math.min(retry, 20);
        long jittered = Math.round(exponential * (0.5 + random.getAsDouble()));
        long floor = retryAfterSeconds == null ? 0 : Math.max(0, retryAfterSeconds) * 1000;
        return Duration.ofMillis(Math.min(capMillis, Math.max(jittered, floor)));
    }
}
