package dev.tollgate.web.config;

import static org.axonframework.commandhandling.GenericCommandResultMessage.asCommandResultMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.axonframework.commandhandling.CommandCallback;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.Registration;
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
 * wait for each other's locks across lanes. A refused command ends its batch there (what it read may have been
 * changed in memory by nothing, but the batch stays simple to reason about: everything answered before a refusal is
 * committed first). If the shared commit fails (a conflict with another node, the database away), nothing of the
 * batch was stored, and each of its commands is run again on its own, as a plain command bus would have, so each gets
 * its own answer and a conflict is retried by the gateway as before.
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
    private volatile boolean stopped;

    public SharedCommitCommandBus(Builder builder, TransactionManager transactionManager,
                                  ToIntFunction<CommandMessage<?>> laneKey, Predicate<Throwable> outage,
                                  int laneCount, int maxBatch) {
        super(builder.transactionManager(transactionManager));
        this.transactionManager = transactionManager;
        this.laneKey = laneKey;
        this.outage = outage;
        this.maxBatch = maxBatch;
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
        if (stopped || CurrentUnitOfWork.isStarted()) {
            super.handle(command, handler, callback);
            return;
        }
        lanes[Math.floorMod(laneKey.applyAsInt(command), lanes.length)].queue
                .add(new Pending(command, handler, (CommandCallback<Object, Object>) callback));
    }

    /** Stops taking commands into lanes; what is queued is still run. */
    public void shutdown() {
        stopped = true;
        for (Lane lane : lanes) {
            lane.queue.add(Pending.STOP);
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

    private record Pending(CommandMessage<?> command, MessageHandler<? super CommandMessage<?>> handler,
                           CommandCallback<Object, Object> callback) {
        static final Pending STOP = new Pending(null, null, null);
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
                    return;
                }
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.remove(Pending.STOP);
                for (int done = 0; done < batch.size(); ) {
                    try {
                        done += runTogether(batch, done);
                    } catch (RuntimeException | Error unexpected) {
                        // Only an answer can fail here (the commit is behind us); the lane must live on.
                        log.error("A command lane failed to answer", unexpected);
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
    private int runTogether(List<Pending> batch, int from) {
        List<CommandResultMessage<?>> results = new ArrayList<>(batch.size() - from);
        UnitOfWork<?> shared = DefaultUnitOfWork.startAndGet(batch.get(from).command());
        int next = from;
        try {
            shared.attachTransaction(transactionManager);
            boolean refused = false;
            while (next < batch.size() && !refused) {
                Pending pending = batch.get(next++);
                UnitOfWork<CommandMessage<?>> own = DefaultUnitOfWork.startAndGet(pending.command());
                DefaultInterceptorChain<CommandMessage<?>> chain =
                        new DefaultInterceptorChain<>(own, interceptors, pending.handler());
                ResultMessage<?> result = own.executeWithResult(chain::proceed,
                        RollbackConfigurationType.UNCHECKED_EXCEPTIONS);
                results.add(asCommandResultMessage(result));
                refused = own.isRolledBack();
            }
            shared.commit();
        } catch (RuntimeException | Error failed) {
            if (shared.isActive() && CurrentUnitOfWork.isStarted() && CurrentUnitOfWork.get() == shared) {
                shared.rollback(failed);
            }
            if (next == from) {
                next = batch.size(); // no transaction to run them in: the failure is every queued command's answer
            }
            for (int i = from; i < next; i++) {
                Pending pending = batch.get(i);
                if (outage.test(failed)) {
                    // Each would wait for a connection in turn and fail the same way: say so to all of them now.
                    answer(pending, asCommandResultMessage(failed));
                } else {
                    super.handle(pending.command(), pending.handler(), pending.callback());
                }
            }
            return next - from;
        }
        for (int i = 0; i < results.size(); i++) {
            answer(batch.get(from + i), results.get(i));
        }
        return next - from;
    }

    private static void answer(Pending pending, CommandResultMessage<?> result) {
        try {
            pending.callback().onResult(pending.command(), result);
        } catch (RuntimeException | Error unexpected) {
            log.error("A command's caller failed to take its answer", unexpected);
        }
    }
}
