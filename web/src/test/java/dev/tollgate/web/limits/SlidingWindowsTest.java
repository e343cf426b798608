package dev.tollgate.web.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.web.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SlidingWindowsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00.250Z"));
    private final SlidingWindows windows = new SlidingWindows(clock, Duration.ofMinutes(1), 60, 1_000);

    @Test
    void theRequestPastTheLimitWithinAMinuteIsRefused() {
        for (int i = 0; i < 5; i++) {
            assertThat(windows.tryAdd("ada", 1, 5)).isTrue();
            clock.advance(Duration.ofSeconds(10));
        }

        assertThat(windows.tryAdd("ada", 1, 5)).isFalse();
        assertThat(windows.used("ada")).isEqualTo(5);
    }

    @Test
    void aRefusedRequestIsNotCounted() {
        windows.tryAdd("ada", 1, 1);

        windows.tryAdd("ada", 1, 1);
        windows.tryAdd("ada", 1, 1);

        assertThat(windows.used("ada")).isEqualTo(1);
    }

    @Test
    void theOldestRequestLeavesTheWindowAMinuteLaterAndFreesItsPlace() {
        windows.tryAdd("ada", 1, 2);
        clock.advance(Duration.ofSeconds(20));
        windows.tryAdd("ada", 1, 2);

        assertThat(windows.millisUntilAtMost("ada", 1)).isEqualTo(40_000 - 250);
        clock.advance(Duration.ofSeconds(40));

        assertThat(windows.used("ada")).isEqualTo(1);
        assertThat(windows.tryAdd("ada", 1, 2)).isTrue();
    }

    @Test
    void theWindowIsEmptyOnceItsNewestEntryHasLeft() {
        windows.add("ada", 700);
        clock.advance(Duration.ofSeconds(30));
        windows.add("ada", 500);

        assertThat(windows.millisUntilEmpty("ada")).isEqualTo(60_000 - 250);
        assertThat(windows.millisUntilAtMost("ada", 999)).isEqualTo(30_000 - 250);
        clock.advance(Duration.ofSeconds(60));
        assertThat(windows.used("ada")).isZero();
        assertThat(windows.millisUntilEmpty("ada")).isZero();
    }

    @Test
    void keysAreCountedApart() {
        windows.tryAdd("ada", 1, 1);

        assertThat(windows.tryAdd("grace", 1, 1)).isTrue();
        assertThat(windows.tryAdd("ada", 1, 1)).isFalse();
    }

    @Test
    void takingBackFreesThePlace() {
        windows.tryAdd("ada", 1, 1);

        windows.takeBack("ada", 1);

        assertThat(windows.tryAdd("ada", 1, 1)).isTrue();
    }

    @Test
    void idleKeysAreDroppedAndMemoryStaysBounded() {
        SlidingWindows small = new SlidingWindows(clock, Duration.ofMinutes(1), 60, 3);
        small.add("a", 1);
        small.add("b", 1);
        small.add("c", 1);

        small.add("d", 1);
        assertThat(small.trackedKeys()).isEqualTo(3);
        assertThat(small.used("d")).as("a key beyond the bound is not tracked").isZero();

        clock.advance(Duration.ofSeconds(61));
        small.add("d", 1);
        assertThat(small.trackedKeys()).isEqualTo(1);
        assertThat(small.used("d")).isEqualTo(1);
    }

    @Test
    void concurrentRequestsNeverExceedTheLimit() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger admitted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 1_000; i++) {
            pool.submit(() -> {
                start.await();
                if (windows.tryAdd("ada", 1, 100)) {
                    admitted.incrementAndGet();
                }
                return null;
            });
        }

        start.countDown();
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(admitted.get()).isEqualTo(100);
        assertThat(windows.used("ada")).isEqualTo(100);
    }
}
