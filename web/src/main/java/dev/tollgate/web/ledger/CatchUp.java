package dev.tollgate.web.ledger;

import java.util.function.BooleanSupplier;

/**
 * Waits, briefly and boundedly, until a read model has caught up (the condition holds), so that a client reading
 * right after its own write sees that write. Answers whether it caught up; the caller answers either way.
 */
public final class CatchUp {
    private CatchUp() {
    }

    public static boolean await(BooleanSupplier caughtUp, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (!caughtUp.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
