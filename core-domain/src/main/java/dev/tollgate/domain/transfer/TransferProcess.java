package dev.tollgate.domain.transfer;

import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferSent;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.AggregateNotFoundException;

/**
 * The transfer between two accounts, as a process: the sender was debited ({@link TransferSent}); credit the
 * receiver; if the receiver declines ({@link TransferDeclined}) or does not exist, refund the sender. Until then
 * the money is in flight, and the ledger check counts it as such.
 * <p>
 * It keeps no state of its own: each event carries everything the next step needs, so a saga store would only add
 * writes (measured: about five times fewer transfers per second with Axon's JDBC saga store).
 * <p>
 * Each step is sent as a command of its own from the given executor, not nested in the processor's unit of work: a
 * nested command keeps its account locked until the whole batch commits, which stalled every sender of those
 * accounts. The steps of a batch are all under way at once; the processor waits for all of them before it commits
 * its token, and a failed step fails the batch, so no event is ever skipped. A redelivery (a crash between a step
 * and the token) is absorbed by the accounts, which credit and refund a transfer id once. Never replayed: this moves
 * money.
 * <p>
 * A transfer whose request credits the receiver on this node ({@link CreditedTransfers}) needs no step once that
 * credit is stored: the process waits for it instead of racing it, and a decline is an event that it refunds.
 */
@ProcessingGroup(TransferProcess.GROUP)
@DisallowReplay
public class TransferProcess {
    public static final String GROUP = "transfer-process";
    /** A request's own credit takes milliseconds; past this the process credits anyway (the receiver absorbs it). */
    static final long REQUEST_CREDIT_WAIT_SECONDS = 30;

    private final CommandGateway commands;
    private final Executor steps;
    private final CreditedTransfers credited;

    /** Runs each step in the calling thread (nested in the caller's unit of work, if any). */
    public TransferProcess(CommandGateway commands) {
        this(commands, Runnable::run, CreditedTransfers.NONE);
    }

    public TransferProcess(CommandGateway commands, Executor steps, CreditedTransfers credited) {
        this.commands = commands;
        this.steps = steps;
        this.credited = credited;
    }

    @EventHandler
    public void on(TransferSent sent, @Timestamp Instant at) {
        // Waits for this node's request to credit the receiver, if it is doing so, rather than racing it.
        step(credited.answered(sent.transferId()).toCompletableFuture()
                .completeOnTimeout(false, REQUEST_CREDIT_WAIT_SECONDS, TimeUnit.SECONDS)
                .thenCompose(answered -> answered ? CompletableFuture.<Void>completedFuture(null)
                        : dispatched(() -> credit(sent, at))));
    }

    @EventHandler
    public void on(TransferDeclined declined, @Timestamp Instant at) {
        step(dispatched(() -> commands.send(
                new RefundTransfer(declined.from(), declined.transferId(), declined.reason(), at))));
    }

    /**
     * A command sent from a step thread, so that it runs as a command of its own and not nested in the processor's
     * unit of work, and not waited for there: every step of a batch is under way at once, and the command lanes
     * commit them together (ADR 37) instead of a few at a time, one per step thread.
     */
    private CompletableFuture<Void> dispatched(Supplier<CompletableFuture<?>> send) {
        return CompletableFuture.supplyAsync(send, steps).thenCompose(sent -> sent.thenApply(result -> null));
    }

    /** A step under way; inside a processor's unit of work it must have succeeded before that unit commits. */
    private void step(CompletableFuture<Void> done) {
        if (CurrentUnitOfWork.isStarted() && !done.isDone()) {
            CurrentUnitOfWork.get().onPrepareCommit(u -> join(done));
        } else {
            join(done);
        }
    }

    private static void join(CompletableFuture<Void> done) {
        try {
            done.join();
        } catch (CompletionException failed) {
            if (failed.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw failed;
        }
    }

    private CompletableFuture<?> credit(TransferSent sent, Instant at) {
        return commands.send(new ReceiveTransfer(sent.to(), sent.transferId(), sent.from(), sent.amount(),
                sent.note(), at)).exceptionallyComposeAsync(failure -> receiverDoesNotExist(failure)
                // An account that was never opened cannot accept the money either: refund, as for a decline.
                ? commands.send(new RefundTransfer(sent.from(), sent.transferId(), "no such account", at))
                : CompletableFuture.failedFuture(failure), steps);
    }

    private static boolean receiverDoesNotExist(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AggregateNotFoundException) {
                return true;
            }
        }
        return false;
    }
}
