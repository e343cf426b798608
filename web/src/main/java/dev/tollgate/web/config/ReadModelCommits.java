package dev.tollgate.web.config;

import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;

/**
 * The read models' transactions on the embedded default (ADR 62): each commits without waiting for the store's write,
 * then the processor pauses {@link #PAUSE_MS} ms before it takes its next batch.
 *
 * <p>What the read models record is rebuilt from the events, and their rows and their token commit together, in one
 * version of the store: a crash that loses a batch loses its token with it, and the processor records those events
 * again. Waiting for the write made the processor lead a write of the whole store after every batch, and under load a
 * batch is a handful of events: session 25 counted 283 such writes a second, more than half of all, at 600 calls a
 * second. The pause keeps the batches as large as the wait did (without it they shrink further, ADR 59), while the
 * writes that make the events themselves durable also carry the read models' rows.
 */
final class ReadModelCommits implements TransactionManager {
    /** About what the wait for a write took under load; a reader waiting for its own writes waits at most this more. */
    static final long PAUSE_MS = 5;

    private final TransactionManager transactions;
    private final long pauseMillis;

    ReadModelCommits(TransactionManager transactions, long pauseMillis) {
        this.transactions = transactions;
        this.pauseMillis = pauseMillis;
    }

    @Override
    public Transaction startTransaction() {
        Transaction transaction = transactions.startTransaction();
        return new Transaction() {
            @Override
            public void commit() {
                DurableCommits.runUnwaited(transaction::commit);
                pause();
            }

            @Override
            public void rollback() {
                transaction.rollback();
            }
        };
    }

    private void pause() {
        try {
            Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
            // the processor is being stopped: its batch is committed, nothing is left to pace
            Thread.currentThread().interrupt();
        }
    }
}
