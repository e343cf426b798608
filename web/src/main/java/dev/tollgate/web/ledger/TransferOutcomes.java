package dev.tollgate.web.ledger;

import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Lets an HTTP request wait (briefly) for the transfer process to finish, so the sender learns whether the
 * money arrived. Runs as a subscribing processor: it hears the outcome on the node that produced it, after the
 * commit. A transfer whose outcome is not heard in time is reported "in_flight"; the process finishes anyway.
 */
@Component
@ProcessingGroup("transfer-outcomes")
public class TransferOutcomes {
    public enum Outcome { COMPLETED, REFUNDED, IN_FLIGHT }

    /** How a transfer ended, and for a refund the sender's balance the refund left (null otherwise). */
    public record Heard(Outcome outcome, Money refundedBalance) {
        static final Heard COMPLETED = new Heard(Outcome.COMPLETED, null);
        static final Heard IN_FLIGHT = new Heard(Outcome.IN_FLIGHT, null);
    }

    private final Map<String, CompletableFuture<Heard>> waiting = new ConcurrentHashMap<>();

    public CompletableFuture<Heard> expect(String transferId) {
        return waiting.computeIfAbsent(transferId, id -> new CompletableFuture<>());
    }

    public void forget(String transferId) {
        waiting.remove(transferId);
    }

    public Heard await(String transferId, CompletableFuture<Heard> expected, Duration wait) {
        try {
            return expected.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException slow) {
            return Heard.IN_FLIGHT;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Heard.IN_FLIGHT;
        } catch (ExecutionException impossible) {
            return Heard.IN_FLIGHT;
        } finally {
            waiting.remove(transferId);
        }
    }

    /** The receiver answered a credit as already made: the transfer is complete. */
    public void received(String transferId) {
        CompletableFuture<Heard> future = waiting.get(transferId);
        if (future != null) {
            future.complete(Heard.COMPLETED);
        }
    }

    @EventHandler
    void on(TransferReceived event) {
        complete(event.transferId(), Heard.COMPLETED);
    }

    @EventHandler
    void on(TransferDeclined event) {
        // The refund follows; the sender's balance is whole again only then.
    }

    @EventHandler
    void on(TransferRefunded event) {
        complete(event.transferId(), new Heard(Outcome.REFUNDED, event.balanceAfter()));
    }

    private void complete(String transferId, Heard outcome) {
        CompletableFuture<Heard> future = waiting.get(transferId);
        if (future == null) {
            return;
        }
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> future.complete(outcome));
        } else {
            future.complete(outcome);
        }
    }
}
