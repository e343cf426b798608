package dev.tollgate.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Collects latencies in microseconds from many threads; reads percentiles once the run is over. */
final class Latencies {
    private final long[] micros;
    private final AtomicInteger count = new AtomicInteger();

    Latencies(int capacity) {
        micros = new long[capacity];
    }

    void add(long nanos) {
        int i = count.getAndIncrement();
        if (i < micros.length) {
            micros[i] = nanos / 1_000;
        }
    }

    int count() {
        return Math.min(count.get(), micros.length);
    }

    double percentileMillis(double p) {
        long[] sorted = Arrays.copyOf(micros, count());
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1000.0;
    }
}
