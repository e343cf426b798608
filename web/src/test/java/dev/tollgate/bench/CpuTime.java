package dev.tollgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time used by this JVM and by the machine's PostgreSQL processes (from /proc, in clock ticks of 10 ms). CPU per
 * operation is steadier than operations per second on a shared 2-core machine: it does not move when another process
 * takes a core away for a while.
 */
final class CpuTime {
    private static final double TICK_MS = 10.0;

    record Reading(long jvmTicks, long postgresTicks) {
        /** Milliseconds of CPU per operation since {@code before}: [this JVM, PostgreSQL]. */
        double[] perOperation(Reading before, int operations) {
            return new double[] {(jvmTicks - before.jvmTicks) * TICK_MS / operations,
                    (postgresTicks - before.postgresTicks) * TICK_MS / operations};
        }
    }

    static Reading now() {
        return new Reading(ticks(Path.of("/proc/self/stat")), postgresTicks());
    }

    /** CPU ticks another process of this machine has used so far (a Tollgate node the benchmark started). */
    static long processTicks(long pid) {
        return ticks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** CPU ticks the JIT compiler threads of another process have used so far. */
    static long compilerTicks(long pid) {
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return threads.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).contains("CompilerThre");
                } catch (IOException | RuntimeException gone) {
                    return false;
                }
            }).mapToLong(t -> ticks(t.resolve("stat"))).sum();
        } catch (IOException unreadable) {
            return 0;
        }
    }

    private static long postgresTicks() {
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            return processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(CpuTime::isPostgres).mapToLong(p -> ticks(p.resolve("stat"))).sum();
        } catch (IOException unreadable) {
            return 0;
        }
    }

    private static boolean isPostgres(Path process) {
        try {
            return Files.readString(process.resolve("comm")).trim().startsWith("postgres");
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** utime + stime of a process, children that it waited for included (fields 14–17 of /proc/pid/stat). */
    private static long ticks(Path stat) {
        try {
            String line = Files.readString(stat);
            String[] f = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private CpuTime() {
    }
}
