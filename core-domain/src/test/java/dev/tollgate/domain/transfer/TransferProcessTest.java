package dev.tollgate.domain.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferSent;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.List;
import java.util.function.Function;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.junit.jupiter.api.Test;

/**
 * The transfer process: debit (TransferSent) → credit (ReceiveTransfer), or → declined → refund. Until one of those
 * happens the money is in flight; every path must end, or the ledger keeps money in flight forever.
 */
class TransferProcessTest {

    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
    private static final Money FOUR_USD = Money.ofUsd(4);

    private static final TransferSent SENT = new TransferSent(ALICE, "t-1", BOB, FOUR_USD, Money.ofUsd(6), "lunch",
            new Intent(new IdempotencyKey("k-1"), "fp-1"), T0);
    private static final TransferDeclined DECLINED = new TransferDeclined(BOB, "t-1", ALICE, FOUR_USD,
            "account closed", T0);

    private final List<Object> dispatched = new ArrayList<>();

    @Test
    void aSentTransferIsDeliveredToTheReceiverStampedWithTheEventsTime() {
        // given a process whose commands all succeed
        TransferProcess process = new TransferProcess(gateway(command -> null));

        // when the sender was debited
        process.on(SENT, T0);

        // then the receiver is asked to accept exactly that money, at the event's time (no clock in the process)
        assertThat(dispatched).containsExactly(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0));
    }

    @Test
    void aDeclinedTransferIsRefundedToTheSender() {
        // given a process whose commands all succeed
        TransferProcess process = new TransferProcess(gateway(command -> null));

        // when the receiver declined the money
        process.on(DECLINED, T0);

        // then the sender gets it back, with the receiver's reason
        assertThat(dispatched).containsExactly(new RefundTransfer(ALICE, "t-1", "account closed", T0));
    }

    @Test
    void aTransferToAnAccountThatWasNeverOpenedIsRefunded() {
        // given a receiver whose account does not exist
        TransferProcess process = new TransferProcess(gateway(command -> {
            if (command instanceof ReceiveTransfer) {
                throw new AggregateNotFoundException("bob", "no such aggregate");
            }
            return null;
        }));

        // when the sender was debited
        process.on(SENT, T0);

        // then the credit was tried and the sender refunded
        assertThat(dispatched).containsExactly(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0),
                new RefundTransfer(ALICE, "t-1", "no such account", T0));
    }

    @Test
    void anyOtherFailureIsRethrownSoTheEventIsRetriedNotRefunded() {
        // given a failure that says nothing about the receiver (a database hiccup)
        TransferProcess process = new TransferProcess(gateway(command -> {
            throw new IllegalStateException("connection reset");
        }));

        // when / then the failure reaches the processor, which rolls back and retries the event
        assertThatThrownBy(() -> process.on(SENT, T0)).isInstanceOf(IllegalStateException.class);
        assertThat(dispatched).noneMatch(RefundTransfer.class::isInstance);
    }

    @Test
    void aTransferItsRequestAlreadyCreditedNeedsNoStepAndARedeliveryIsCreditedAsBefore() {
        // given a node whose request credited t-1 itself, and nothing else
        Set<String> answered = new HashSet<>(Set.of("t-1"));
        TransferProcess process = new TransferProcess(gateway(command -> null), Runnable::run,
                id -> CompletableFuture.completedFuture(answered.remove(id)));

        // when the process sees the debit, and later (a crash before its token moved) sees it again
        process.on(SENT, T0);
        List<Object> afterFirst = List.copyOf(dispatched);
        process.on(SENT, T0);

        // then the first sends nothing; the second, no longer known, credits as before (the receiver absorbs it)
        assertThat(afterFirst).isEmpty();
        assertThat(dispatched).containsExactly(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0));
    }

    @Test
    void theProcessWaitsForTheRequestsOwnCreditAndCreditsOnlyIfThatFailed() {
        // given a node whose requests are crediting t-1 and t-2 right now
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        CompletableFuture<Boolean> second = new CompletableFuture<>();
        TransferProcess process = new TransferProcess(gateway(command -> null), Runnable::run,
                id -> id.equals("t-1") ? first : second);
        TransferSent other = new TransferSent(ALICE, "t-2", BOB, FOUR_USD, Money.ofUsd(2), null, Intent.NONE, T0);

        // when the process sees both debits in one batch before either request's credit is done
        UnitOfWork<?> batch = DefaultUnitOfWork.startAndGet(null);
        process.on(SENT, T0);
        process.on(other, T0);
        List<Object> whileWaiting = List.copyOf(dispatched);
        first.complete(true);
        second.complete(false);
        batch.commit();

        // then it sent nothing meanwhile; t-1's stored credit needs no step, t-2's failed one is sent by the process
        assertThat(whileWaiting).isEmpty();
        assertThat(dispatched).containsExactly(new ReceiveTransfer(BOB, "t-2", ALICE, FOUR_USD, null, T0));
    }

    @Test
    void aDeclineIsRefundedEvenWhenTheRequestAnsweredTheTransfer() {
        // given a node whose request had the receiver answer t-1 (here: decline it)
        TransferProcess process = new TransferProcess(gateway(command -> null), Runnable::run,
                id -> CompletableFuture.completedFuture(true));

        // when the process sees the debit, then the decline
        process.on(SENT, T0);
        process.on(DECLINED, T0);

        // then the debit needs no step, and the sender still gets the money back
        assertThat(dispatched).containsExactly(new RefundTransfer(ALICE, "t-1", "account closed", T0));
    }

    @Test
    void everyStepOfABatchIsUnderWayAtOnceEvenOnASingleStepThread() throws Exception {
        // given one step thread, and receivers whose credits commit only when released
        CompletableFuture<Object> commits = new CompletableFuture<>();
        List<Object> sent = new CopyOnWriteArrayList<>();
        CommandGateway slowCommits = (CommandGateway) Proxy.newProxyInstance(CommandGateway.class.getClassLoader(),
                new Class<?>[] {CommandGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("send") && args.length == 1) {
                        sent.add(args[0]);
                        return commits;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ExecutorService oneStepThread = Executors.newSingleThreadExecutor();
        try {
            TransferProcess process = new TransferProcess(slowCommits, oneStepThread, CreditedTransfers.NONE);

            // when the process sees three debits in one batch
            UnitOfWork<?> batch = DefaultUnitOfWork.startAndGet(null);
            for (String id : List.of("t-1", "t-2", "t-3")) {
                process.on(new TransferSent(ALICE, id, BOB, FOUR_USD, Money.ofUsd(6), null, Intent.NONE, T0), T0);
            }
            for (int i = 0; i < 200 && sent.size() < 3; i++) {
                Thread.sleep(10);
            }
            List<Object> beforeAnyCommit = List.copyOf(sent);
            commits.complete(null);
            batch.commit();

            // then all three credits were sent before the first one committed, and the batch committed after them
            assertThat(beforeAnyCommit).hasSize(3);
            assertThat(batch.isRolledBack()).isFalse();
        } finally {
            oneStepThread.shutdownNow();
        }
    }

    @Test
    void theProcessIsNeverReplayedBecauseItMovesMoney() {
        assertThat(TransferProcess.class.isAnnotationPresent(DisallowReplay.class)).isTrue();
    }

    private CommandGateway gateway(Function<Object, Object> outcome) {
        return (CommandGateway) Proxy.newProxyInstance(CommandGateway.class.getClassLoader(),
                new Class<?>[] {CommandGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendAndWait")) {
                        dispatched.add(args[0]);
                        return outcome.apply(args[0]);
                    }
                    if (method.getName().equals("send") && args.length == 1) {
                        dispatched.add(args[0]);
                        try {
                            return CompletableFuture.completedFuture(outcome.apply(args[0]));
                        } catch (RuntimeException failed) {
                            return CompletableFuture.failedFuture(failed);
                        }
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
