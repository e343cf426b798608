package dev.tollgate.web.limits;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Amounts (requests, tokens, failed logins) counted per key over a sliding window cut into fixed slots, so a
 * key costs a fixed few hundred bytes however busy it is, and "N in the last minute" is exact to one slot.
 * Each key's state is guarded by its own monitor for a few array reads; nothing is held across a call. A key
 * with nothing left in its window carries no state, so idle keys are dropped without losing anything; beyond
 * {@code maxKeys} busy keys a new key is not tracked (it passes) rather than letting memory grow.
 */
public final class SlidingWindows {
    private final Clock clock;
    private final long slotMillis;
    private final int slots;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final AtomicLong nextSweep;
    private final AtomicLong nextFullSweep = new AtomicLong(Long.MIN_VALUE);

    /** Preconditions: the window is a whole number of slots of at least one millisecond each. */
    public SlidingWindows(Clock clock, Duration window, int slots, int maxKeys) {
        if (slots < 1 || window.toMillis() % slots != 0 || window.toMillis() / slots < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("a window is a whole number of slots, and some keys are tracked");
        }
        this.clock = clock;
        this.slotMillis = window.toMillis() / slots;
        this.slots = slots;
        this.maxKeys = maxKeys;
        this.nextSweep = new AtomicLong(clock.millis() + window.toMillis());
    }

    private static final class Window {
        final long[] slotOf;
        final long[] amounts;
        long newestSlot = Long.MIN_VALUE;
        boolean retired;

        Window(int slots) {
            slotOf = new long[slots];
            amounts = new long[slots];
            java.util.Arrays.fill(slotOf, Long.MIN_VALUE);
        }
    }

    /** Adds {@code amount} only if the window then holds at most {@code limit}; says whether it did. */
    public boolean tryAdd(String key, long amount, long limit) {
        long now = clock.millis();
        while (true) {
            Window w = window(key, now);
            if (w == null) {
                return true;
            }
            synchronized (w) {
                if (w.retired) {
                    continue;
                }
                long current = slot(now);
                if (used(w, current) + amount > limit) {
                    return false;
                }
                put(w, current, amount);
                return true;
            }
        }
    }

    /** Adds {@code amount} whatever the window holds (tokens are known only after the call they limit). */
    public void add(String key, long amount) {
        long now = clock.millis();
        while (true) {
            Window w = window(key, now);
            if (w == null) {
                return;
            }
            synchronized (w) {
                if (w.retired) {
                    continue;
                }
                put(w, slot(now), amount);
                return;
            }
        }
    }

    /** Gives back what {@link #tryAdd} took when a request is refused for another reason, newest slots first. */
    public void takeBack(String key, long amount) {
        Window w = windows.get(key);
        if (w == null) {
            return;
        }
        synchronized (w) {
            long current = slot(clock.millis());
            long left = amount;
            for (long s = current; s > current - slots && left > 0; s--) {
                int i = index(s);
                if (w.slotOf[i] == s) {
                    long taken = Math.min(left, w.amounts[i]);
                    w.amounts[i] -= taken;
                    left -= taken;
                }
            }
        }
    }

    public long used(String key) {
        Window w = windows.get(key);
        if (w == null) {
            return 0;
        }
        synchronized (w) {
            return used(w, slot(clock.millis()));
        }
    }

    /** How long until the window holds at most {@code threshold}: 0 if it already does. */
    public long millisUntilAtMost(String key, long threshold) {
        Window w = windows.get(key);
        if (w == null) {
            return 0;
        }
        long now = clock.millis();
        synchronized (w) {
            long current = slot(now);
            long used = used(w, current);
            for (long s = current - slots + 1; s <= current && used > threshold; s++) {
                int i = index(s);
                if (w.slotOf[i] == s) {
                    used -= w.amounts[i];
                }
                if (used <= threshold) {
                    // slot s stops counting when the current slot reaches s + slots
                    return Math.max(0, (s + slots) * slotMillis - now);
                }
            }
            return used <= threshold ? 0 : (current + slots) * slotMillis - now;
        }
    }

    /** How long until everything now in the window has left it. */
    public long millisUntilEmpty(String key) {
        return millisUntilAtMost(key, 0);
    }

    public int trackedKeys() {
        return windows.size();
    }

    private Window window(String key, long now) {
        sweepIfDue(now);
        Window w = windows.get(key);
        if (w != null) {
            return w;
        }
        if (windows.size() >= maxKeys) {
            // Full of busy keys: sweep at most once a second, so a flood of new keys cannot make every request sweep.
            long due = nextFullSweep.get();
            if (now >= due && nextFullSweep.compareAndSet(due, now + 1_000)) {
                sweep(now);
            }
            if (windows.size() >= maxKeys) {
                return null;
            }
        }
        return windows.computeIfAbsent(key, k -> new Window(slots));
    }

    private void sweepIfDue(long now) {
        long due = nextSweep.get();
        if (now >= due && nextSweep.compareAndSet(due, now + slots * slotMillis)) {
            sweep(now);
        }
    }

    private void sweep(long now) {
        long current = slot(now);
        windows.forEach((key, w) -> {
            boolean idle;
            synchronized (w) {
                idle = w.newestSlot <= current - slots;
                if (idle) {
                    w.retired = true;
                }
            }
            if (idle) {
                windows.remove(key, w);
            }
        });
    }

    private long used(Window w, long current) {
        long used = 0;
        for (int i = 0; i < slots; i++) {
            if (w.slotOf[i] > current - slots) {
                used += w.amounts[i];
            }
        }
        return used;
    }

    private void put(Window w, long current, long amount) {
        int i = index(current);
        if (w.slotOf[i] != current) {
            w.slotOf[i] = current;
            w.amounts[i] = 0;
        }
        w.amounts[i] = Math.addExact(w.amounts[i], amount);
        w.newestSlot = Math.max(w.newestSlot, current);
    }

    private long slot(long millis) {
        return Math.floorDiv(millis, slotMillis);
    }

    private int index(long slot) {
        return (int) Math.floorMod(slot, (long) slots);
    }
}
