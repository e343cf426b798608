package dev.tollgate.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Ends a warm-up by making one call at a time until the JIT compilers have gone quiet. On two cores a warm-up at
 * concurrency 16 keeps the single C2 thread from its queue (100–250 methods were seen waiting throughout it), so hot
 * code still runs at tier 2 or 3 when measuring starts, and the first quiet row pays for the compiles instead; a
 * server that has been up for a while has long since had that lull.
 */
final class JitSettle {
    private static final long WINDOW_NANOS = 2_000_000_000L;
    /** Compiler time per window below which the JIT counts as quiet: 1 % of one core. */
    private static final long QUIET_MS = 20;
    private static final long LIMIT_NANOS = 180_000_000_000L;

    private JitSettle() {
    }

    /** Returns the seconds it took, or a negative number if the compilers were still busy at the limit. */
    static double settle(Load.Call call) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return settle(call, jit::getTotalCompilationTime);
    }

    /** As {@link #settle(Load.Call)}, with the compilers' time so far (ms) read by {@code compiledMillis}. */
    static double settle(Load.Call call, LongSupplier compiledMillis) throws Exception {
        Random random = new Random(1);
        long start = System.nanoTime();
        long windowStart = start;
        long compiledBefore = compiledMillis.getAsLong();
        while (System.nanoTime() - start < LIMIT_NANOS) {
            call.attempt(random);
            long now = System.nanoTime();
            if (now - windowStart >= WINDOW_NANOS) {
                long compiled = compiledMillis.getAsLong();
                if (compiled - compiledBefore < QUIET_MS) {
                    return (now - start) / 1e9;
                }
                compiledBefore = compiled;
                windowStart = now;
            }
        }
        return -LIMIT_NANOS / 1e9;
    }
}
