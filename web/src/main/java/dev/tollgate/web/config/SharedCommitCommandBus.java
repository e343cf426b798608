package dev.tollgate.web.config;

import static org.axonframework.commandhandling.GenericCommandResultMessage.asCommandResultMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.Registration;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.DefaultInterceptorChain;
import org.axonframework.messaging.MessageHandler;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.RollbackConfigurationType;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands that arrive together share one transaction (ADR 37): a command is handed to the lane of its account, and
 * each lane runs what has queued up, up to {@code maxBatch} commands, each in a unit of work of its own nested in one
 * that holds the transaction; their events are appended together and committed once. A caller hears its answer only
 * after that commit.
 *
 * <p>Exactly once is unchanged: an account lives in one lane, so its commands run in order on one thread and never
 * wait for each other's locks across lanes. A refused command ends its batch there: what ran before it is committed
 * first, the rest run in the next transaction. If the batch fails before its commit is sent (a lost append race with
 * another node), nothing of it was stored, and each command runs again on its own, as Axon's bus would have run it,
 * so each gets its own answer and a conflict is retried by the gateway as before. If the commit itself fails, or
 * the database cannot be reached, each command hears that failure, as from Axon's bus: nothing is run twice.
 *
 * <p>Where the store makes a commit durable only after it returns (the embedded default, ADR 59), the lane does not
 * wait for that: it hands its callers' answers to {@link LaneCommits} and goes on with its next batch. A caller hears
 * its answer once the commit is durable, except the commands that {@code answeredAtCommit} names: a hold is answered
 * at its commit, because the call it covers is answered only after its settlement, whose durable commit covers the
 * hold's too.
 *
 * <p>A command sent from inside a unit of work (a handler reacting inside a command, a tracked event handler) runs
 * nested in that unit of work, as Axon's command bus runs it.
 */
public final class SharedCommitCommandBus extends SimpleCommandBus {
    private static final Logger log = LoggerFactory.getLogger(SharedCommitCommandBus.class);

    private final TransactionManager transactionManager;
    private final List<MessageHandlerInterceptor<? super CommandMessage<?>>> interceptors = new CopyOnWriteArrayList<>();
    private final ToIntFunction<CommandMessage<?>> laneKey;
    private final Predicate<Throwable> outage;
    private final Lane[] lanes;
    private final int maxBatch;
    private final LaneCommits commits;
    private final Predicate<CommandMessage<?>> answeredAtCommit;
    private final ReentrantReadWriteLock intake = new ReentrantReadWriteLock();
    private volatile boolean stopped;

    /** How a lane commits its batch, and when what it committed is durable. */
    public interface LaneCommits {
        /** Durable when the commit returns: PostgreSQL's commit waits for its WAL. */
        LaneCommits DURABLE_AT_COMMIT = commit -> {
            commit.run();
            return then -> then.accept(null);
        };

        /** Commits through {@code commit} (its failure is thrown here) and tells when that commit is durable. */
        Written commit(Runnable commit);
    }

    /** A commit on its way to durable storage. */
    public interface Written {
        /** Calls {@code then} once, with {@code null} when the commit is durable, or with the write's failure. */
        void then(Consumer<Throwable> then);

        /** Returns once the commit is durable (this thread may write it), or throws the write's failure. */
        default void await() {
            CompletableFuture<Optional<Throwable>> done = new CompletableFuture<>();
            then(failure -> done.complete(Optional.ofNullable(failure)));
            Throwable failure = done.join().orElse(null);
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
        }
    }

    public SharedCommitCommandBus(Builder builder, TransactionManager transactionManager,
                                  ToIntFunction<CommandMessage<?>> laneKey, Predicate<Throwable> outage,
                                  int laneCount, int maxBatch) {
        this(builder, transactionManager, laneKey, outage, laneCount, maxBatch, LaneCommits.DURABLE_AT_COMMIT,
                command -> false);
    }

    public SharedCommitCommandBus(Builder builder, TransactionManager transactionManager,
                                  ToIntFunction<CommandMessage<?>> laneKey, Predicate<Throwable> outage,
                                  int laneCount, int maxBatch, LaneCommits commits,
                                  Predicate<CommandMessage<?>> answeredAtCommit) {
        super(builder.transactionManager(transactionManager));
        this.transactionManager = transactionManager;
        this.laneKey = laneKey;
        this.outage = outage;
        this.maxBatch = maxBatch;
        this.commits = commits;
        this.answeredAtCommit = answeredAtCommit;
        this.lanes = new Lane[laneCount];
        for (int i = 0; i < laneCount; i++) {
            lanes[i] = new Lane("command-lane-" + (i + 1));
            lanes[i].thread.start();
        }
    }

    @Override
    public Registration registerHandlerInterceptor(MessageHandlerInterceptor<? super CommandMessage<?>> interceptor) {
        interceptors.add(interceptor);
        Registration registration = super.registerHandlerInterceptor(interceptor);
        return () -> {
            interceptors.remove(interceptor);
            return registration.cancel();
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <C, R> void handle(CommandMessage<C> command, MessageHandler<? super CommandMessage<?>> handler,
                                 CommandCallback<? super C, ? super R> callback) {
        if (!CurrentUnitOfWork.isStarted()) {
            // Read-locked against shutdown: nothing is queued behind a lane's last command.
            intake.readLock().lock();
            try {
                if (!stopped) {
                    lanes[Math.floorMod(laneKey.applyAsInt(command), lanes.length)].queue
                            .add(new Pending(command, handler, (CommandCallback<Object, Object>) callback));
                    return;
                }
            } finally {
                intake.readLock().unlock();
            }
        }
        super.handle(command, handler, callback);
    }

    /** Stops taking commands into lanes (they run on their callers' threads from now on); what is queued still runs. */
    public void shutdown() {
        intake.writeLock().lock();
        try {
            stopped = true;
            for (Lane lane : lanes) {
                lane.queue.add(Pending.STOP);
            }
        } finally {
            intake.writeLock().unlock();
        }
        for (Lane lane : lanes) {
            try {
                lane.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * A queued command; answered at most once, and every one is answered (or, after its commit, its answer handed
     * on until the commit is durable) before its lane moves on.
     */
    private static final class Pending {
        static final Pending STOP = new Pending(null, null, null);

        final CommandMessage<?> command;
        final MessageHandler<? super CommandMessage<?>> handler;
        final CommandCallback<Object, Object> callback;
        volatile boolean answered;

        Pending(CommandMessage<?> command, MessageHandler<? super CommandMessage<?>> handler,
                CommandCallback<Object, Object> callback) {
            this.command = command;
            this.handler = handler;
            this.callback = callback;
        }

        void answer(CommandResultMessage<?> result) {
            if (answered) {
                return;
            }
            answered = true;
            try {
                callback.onResult(command, result);
            } catch (RuntimeException | Error unexpected) {
                log.error("A command's caller failed to take its answer", unexpected);
            }
        }
    }

    private final class Lane implements Runnable {
        final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
        final Thread thread;

        Lane(String name) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            List<Pending> batch = new ArrayList<>(maxBatch);
            while (true) {
                try {
                    batch.add(queue.take());
                } catch (InterruptedException e) {
                    // Nobody but shutdown (which queues STOP instead) may end a lane: its queue would never be answered.
                    continue;
                }
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(Pending.STOP);
                for (int done = 0; done < batch.size(); ) {
                    try {
                        done += runTogether(batch, done, queue);
                    } catch (RuntimeException | Error unexpected) {
                        log.error("A command lane failed", unexpected);
                        for (int i = done; i < batch.size(); i++) {
                            batch.get(i).answer(asCommandResultMessage(unexpected));
                        }
                        done = batch.size();
                    }
                }
                batch.clear();
                if (stop) {
                    return;
                }
            }
        }
    }

    /** Runs the batch from {@code from} until a command is refused, commits, answers; returns how many it ran. */
    private int runTogether(List<Pending> batch, int from, Queue<Pending> waiting) {
        List<CommandResultMessage<?>> results = new ArrayList<>(batch.size() - from);
        UnitOfWork<?> shared = DefaultUnitOfWork.startAndGet(batch.get(from).command);
        // Set just before the transaction's commit is sent: past it, whether the batch was stored is unknown.
        AtomicBoolean commitSent = new AtomicBoolean();
        int next = from;
        Written written;
        try {
            shared.attachTransaction(() -> {
                Transaction transaction = transactionManager.startTransaction();
                return new Transaction() {
                    @Override
                    public void commit() {
                        commitSent.set(true);
                        transaction.commit();
                    }

                    @Override
                    public void rollback() {
                        transaction.rollback();
                    }
                };
            });
            boolean refused = false;
            while (next < batch.size() && !refused) {
                Pending pending = batch.get(next++);
                UnitOfWork<CommandMessage<?>> own = DefaultUnitOfWork.startAndGet(pending.command);
                DefaultInterceptorChain<CommandMessage<?>> chain =
                        new DefaultInterceptorChain<>(own, interceptors, pending.handler);
                AtomicBoolean decided = new AtomicBoolean();
                ResultMessage<?> result = own.executeWithResult(() -> {
                    Object answer = chain.proceed();
                    decided.set(true);
                    return answer;
                }, RollbackConfigurationType.UNCHECKED_EXCEPTIONS);
                if (decided.get() && own.isRolledBack()) {
                    // Its own commit failed after its events were handed to the shared unit of work: they would be
                    // stored with the batch while its caller hears a failure. Fail the batch instead.
                    throw new IllegalStateException("a command's commit within a shared batch failed",
                            result.exceptionResult());
                }
                results.add(asCommandResultMessage(result));
                refused = own.isRolledBack();
            }
            written = commits.commit(shared::commit);
        } catch (RuntimeException | Error failed) {
            if (shared.isActive() && CurrentUnitOfWork.isStarted() && CurrentUnitOfWork.get() == shared) {
                shared.rollback(failed);
            }
            if (next == from) {
                next = batch.size(); // no transaction to run them in: the failure is every queued command's answer
            }
            // Run again on its own only what certainly was not stored: a failure before the commit was sent (a lost
            // append race, say), never an Error, and never where one command would wait for a connection after
            // another. Otherwise each hears the failure, as from Axon's own bus: the outcome is unknown, and a
            // retry with its Idempotency-Key settles it.
            boolean runAgain = !commitSent.get() && !(failed instanceof Error) && !outage.test(failed);
            for (int i = from; i < next; i++) {
                Pending pending = batch.get(i);
                if (runAgain) {
                    runAlone(pending);
                } else {
                    pending.answer(asCommandResultMessage(failed));
                }
            }
            return next - from;
        }
        List<Pending> later = new ArrayList<>(results.size());
        List<CommandResultMessage<?>> laterResults = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            Pending pending = batch.get(from + i);
            if (answeredAtCommit.test(pending.command)) {
                pending.answer(results.get(i));
            } else {
                later.add(pending);
                laterResults.add(results.get(i));
            }
        }
        if (!later.isEmpty()) {
            Consumer<Throwable> answer = failure -> {
                for (int i = 0; i < later.size(); i++) {
                    later.get(i).answer(failure == null ? laterResults.get(i) : asCommandResultMessage(failure));
                }
            };
            if (waiting.isEmpty() && from + results.size() == batch.size()) {
                // Nothing else to run: this lane writes (or waits for a write) itself, with no hand-off.
                Throwable failure = null;
                try {
                    written.await();
                } catch (RuntimeException | Error writeFailed) {
                    failure = writeFailed;
                }
                answer.accept(failure);
            } else {
                written.then(answer);
            }
        }
        return next - from;
    }

    /** As Axon's own bus runs a command: its own unit of work and transaction, on this lane's thread. */
    private void runAlone(Pending pending) {
        try {
            super.handle(pending.command, pending.handler, (command, result) -> pending.answer(result));
        } catch (RuntimeException | Error failed) {
            pending.answer(asCommandResultMessage(failed));
        }
    }
}
