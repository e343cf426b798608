package dev.tollgate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs a fixed number of calls from a fixed number of threads and measures each call. */
final class Load {
    private Load() {
    }

    /** One call; answers whether it did what was asked. Each thread has its own seeded random. */
    interface Call {
        boolean attempt(Random random) throws Exception;
    }

    record Measured(int calls, double seconds, Latencies latencies, int failures) {
        double perSecond() {
            return calls / seconds;
        }

        double p50() {
            return latencies.percentileMillis(50);
        }

        double p99() {
            return latencies.percentileMillis(99);
        }
    }

    static Measured run(int threads, int total, Call call) throws Exception {
        Latencies latencies = new Latencies(total);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long seed = t;
            work.add(pool.submit(() -> {
                Random random = new Random(seed);
                while (next.getAndIncrement() < total) {
                    long began = System.nanoTime();
                    boolean ok = call.attempt(random);
                    latencies.add(System.nanoTime() - began);
                    if (!ok) {
                        failures.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(10, TimeUnit.MINUTES);
        }
        pool.shutdown();
        return new Measured(total, (System.nanoTime() - start) / 1e9, latencies, failures.get());
    }
}
