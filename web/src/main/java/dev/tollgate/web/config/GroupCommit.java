package dev.tollgate.web.config;

import org.h2.mvstore.MVStore;

/**
 * Makes committed transactions durable in groups (ADR 58). A thread whose transaction has committed asks for a write
 * of the store; the first to ask writes it for everyone who asked before its write began, and the others wait for that
 * write (or the next). One caller alone writes once per commit, as before; sixty-four callers share a write.
 */
final class GroupCommit {
    private final MVStore store;
    private final Object lock = new Object();
    /** Tickets handed out: each stands for a committed transaction that is waiting to be durable. */
    private long asked;
    /** Every ticket up to this one is durable. */
    private long written;
    private boolean writing;

    GroupCommit(MVStore store) {
        this.store = store;
    }

    /** Returns once everything this thread committed before calling is in the file. */
    void await() {
        long ticket;
        boolean interrupted = false;
        synchronized (lock) {
            ticket = ++asked;
            while (written < ticket && writing) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    // the commit happened; its durability must still be waited for, whatever the interrupt wants
                    interrupted = true;
                }
            }
            if (written >= ticket) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            writing = true;
        }
        // This thread writes, for every ticket handed out before its write began (its own among them).
        try {
            long covered;
            synchronized (lock) {
                covered = asked;
            }
            // H2 waits for its writer threads with Future.get, which an interrupt would cut short
            interrupted |= Thread.interrupted();
            store.commit();
            synchronized (lock) {
                written = Math.max(written, covered);
            }
        } finally {
            synchronized (lock) {
                writing = false;
                lock.notifyAll();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
