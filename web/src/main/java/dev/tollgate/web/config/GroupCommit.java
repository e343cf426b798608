package dev.tollgate.web.config;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.util.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes committed transactions durable in groups (ADR 58). A thread whose transaction has committed asks for a write
 * of the store; the first to ask writes it for everyone who asked before its write began, and the others wait for that
 * write (or the next). One caller alone writes once per commit; sixty-four callers share a write.
 *
 * <p>A busy command lane does not wait (ADR 59): it asks to be called back after the write ({@link #afterWrite}) and
 * goes on with its next batch. Whichever thread completes a write that covers a callback calls it: a waiting thread
 * that led a write, or else this store's writer thread, which writes when nobody else does.
 */
final class GroupCommit {
    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final MVStore store;
    private final Object lock = new Object();
    /** Tickets handed out: each stands for a committed transaction that is waiting to be durable. */
    private long asked;
    /** Every ticket up to this one is durable. */
    private long written;
    private boolean writing;
    /** Callbacks waiting for their ticket to be written, in ticket order. */
    private final ArrayDeque<Callback> callbacks = new ArrayDeque<>();
    private Thread writer;

    GroupCommit(MVStore store) {
        this.store = store;
        serializeOnTheWritingThread(store);
    }

    /**
     * Makes H2 serialize and save each chunk on the thread that writes, as it does when it runs without its background
     * writer, instead of handing both steps to two threads of its own ({@code H2-serialization}, {@code H2-save}) and
     * waiting for each. The thread that writes here waits for the write anyway; the hand-offs only added two wake-ups
     * of other threads to every write, each a wait for a core under load (session 24: 5–90 ms at 64 callers). H2 keeps
     * the executors in private fields and runs a step inline when its field is empty, which is its own path without a
     * background writer. The swap happens under the store's lock, after both executors have finished what they were
     * given, so no chunk is written out of turn. If H2 ever renames the fields, its threads stay, and nothing else
     * changes.
     */
    static void serializeOnTheWritingThread(MVStore store) {
        FileStore<?> files = store.getFileStore();
        if (files == null) {
            return;
        }
        try {
            Field lockField = MVStore.class.getDeclaredField("storeLock");
            Field serializing = FileStore.class.getDeclaredField("serializationExecutor");
            Field saving = FileStore.class.getDeclaredField("bufferSaveExecutor");
            lockField.setAccessible(true);
            serializing.setAccessible(true);
            saving.setAccessible(true);
            ReentrantLock storeLock = (ReentrantLock) lockField.get(store);
            storeLock.lock();
            try {
                ThreadPoolExecutor serializer = (ThreadPoolExecutor) serializing.get(files);
                ThreadPoolExecutor saver = (ThreadPoolExecutor) saving.get(files);
                Utils.flushExecutor(serializer);
                Utils.flushExecutor(saver);
                serializing.set(files, null);
                saving.set(files, null);
                if (serializer != null) {
                    serializer.shutdown();
                }
                if (saver != null) {
                    saver.shutdown();
                }
            } finally {
                storeLock.unlock();
            }
        } catch (ReflectiveOperationException | RuntimeException unreachable) {
            log.info("The embedded store keeps serializing on its own threads: {}", unreachable.toString());
        }
    }

    private record Callback(long ticket, Consumer<Throwable> then) {
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
        List<Callback> due;
        try {
            interrupted |= Thread.interrupted();
            due = write();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        call(due, null);
    }

    /**
     * Calls {@code then} once everything the calling thread committed before this call is in the file, with
     * {@code null}, or with the failure of the write that was to cover it; on the store's writer thread.
     */
    void afterWrite(Consumer<Throwable> then) {
        synchronized (lock) {
            callbacks.add(new Callback(++asked, then));
            if (writer == null) {
                writer = new Thread(this::writeForCallbacks, "embedded-store-writer");
                writer.setDaemon(true);
                writer.start();
            }
            lock.notifyAll();
        }
    }

    /**
     * Writes the store for every ticket handed out so far; the caller has set {@code writing}. Returns the callbacks
     * the write covered, for the caller to call (outside the lock).
     */
    private List<Callback> write() {
        long covered;
        synchronized (lock) {
            covered = asked;
        }
        List<Callback> due = new ArrayList<>();
        try {
            // H2 waits for its writer threads with Future.get, which an interrupt would cut short
            store.commit();
            synchronized (lock) {
                written = Math.max(written, covered);
                takeDue(due);
            }
        } finally {
            synchronized (lock) {
                writing = false;
                lock.notifyAll();
            }
        }
        return due;
    }

    private static void call(List<Callback> due, Throwable failure) {
        for (Callback callback : due) {
            try {
                callback.then().accept(failure);
            } catch (RuntimeException | Error unexpected) {
                log.error("A callback after the embedded store's write failed", unexpected);
            }
        }
    }

    private void writeForCallbacks() {
        while (true) {
            List<Callback> due = new ArrayList<>();
            Throwable failure = null;
            synchronized (lock) {
                while (callbacks.isEmpty() || writing) {
                    if (callbacks.isEmpty() && store.isClosed()) {
                        writer = null;
                        return;
                    }
                    try {
                        lock.wait(1_000);
                    } catch (InterruptedException e) {
                        // only the store's closing ends this thread: a callback left behind would never be called
                    }
                }
                if (callbacks.peek().ticket() > written) {
                    writing = true;
                } else {
                    takeDue(due);
                }
            }
            if (due.isEmpty()) {
                try {
                    due = write();
                } catch (RuntimeException | Error writeFailed) {
                    failure = writeFailed;
                    synchronized (lock) {
                        // the write that was to cover them failed: each hears that, as a waiting thread would
                        due.addAll(callbacks);
                        callbacks.clear();
                    }
                }
            }
            call(due, failure);
        }
    }

    private void takeDue(List<Callback> due) {
        while (!callbacks.isEmpty() && callbacks.peek().ticket() <= written) {
            due.add(callbacks.poll());
        }
    }
}
