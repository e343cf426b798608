package dev.tollgate.web.ops;

import java.time.Duration;
import java.util.function.Supplier;

/** A value recomputed at most once per period: scrapes and health probes must not hammer the database. */
final class Cached<T> implements Supplier<T> {
    private final Supplier<T> source;
    private final long periodNanos;
    private T value;
    private long computedAt;
    private boolean present;

    Cached(Duration period, Supplier<T> source) {
        this.source = source;
        this.periodNanos = period.toNanos();
    }

    @Override
    public synchronized T get() {
        long now = System.nanoTime();
        if (!present || now - computedAt >= periodNanos) {
            value = source.get();
            computedAt = now;
            present = true;
        }
        return value;
    }
}
