package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.commandhandling.GenericCommandMessage.asCommandMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.CommandResultMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lanes of {@link SharedCommitCommandBus}: what shares a transaction, and what each caller hears when. */
class SharedCommitCommandBusTest {

    record Step(String name) {
    }

    /** Thrown by the fake database when it cannot be reached. */
    static final class Unreachable extends RuntimeException {
        Unreachable() {
            super("connection refused");
        }
    }

    /** Records transactions and what happened in them, in order; can be told to fail a start or a commit. */
    static final class Transactions implements TransactionManager {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger started = new AtomicInteger();
        volatile RuntimeException failStart;
        volatile RuntimeException commitFailure;
        volatile int failCommitOf;

        @Override
        public Transaction startTransaction() {
            if (failStart != null) {
                throw failStart;
            }
            int number = started.incrementAndGet();
            log.add("begin " + number);
            return new Transaction() {
                @Override
                public void commit() {
                    if (number == failCommitOf) {
                        log.add("commit " + number + " fails");
                        throw commitFailure;
                    }
                    log.add("commit " + number);
                }

                @Override
                public void rollback() {
                    log.add("rollback " + number);
                }
            };
        }
    }

    private final Transactions transactions = new Transactions();
    private SharedCommitCommandBus bus;

    private SharedCommitCommandBus bus(int lanes) {
        bus = new SharedCommitCommandBus(SimpleCommandBus.builder(), transactions,
                command -> ((Step) command.getPayload()).name().hashCode(), failure -> failure instanceof Unreachable,
                lanes, 64);
        return bus;
    }

    @AfterEach
    void stop() {
        if (bus != null) {
            bus.shutdown();
        }
    }

    private CompletableFuture<CommandResultMessage<?>> send(String name) {
        CompletableFuture<CommandResultMessage<?>> answer = new CompletableFuture<>();
        bus.dispatch(asCommandMessage(new Step(name)), (CommandMessage<?> command, CommandResultMessage<?> result) -> {
            transactions.log.add("answer " + name);
            answer.complete(result);
        });
        return answer;
    }

    /** Holds the lane in its first command until released, so that the next commands queue up behind it. */
    private CountDownLatch holdTheLane(CountDownLatch entered) {
        CountDownLatch release = new CountDownLatch(1);
        bus.subscribe(Step.class.getName(), command -> {
            String name = ((Step) command.getPayload()).name();
            transactions.log.add("run " + name);
            if (name.equals("first")) {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            if (name.startsWith("refused")) {
                throw new IllegalStateException("insufficient funds");
            }
            return "done " + name;
        });
        return release;
    }

    /** One lane, running a first command until the returned latch is released. */
    private CountDownLatch aBusyLane() throws InterruptedException {
        bus(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdTheLane(entered);
        send("first");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void commandsThatQueueUpTogetherShareOneTransaction_andEachHearsItsAnswerAfterTheCommit() throws Exception {
        // given a lane busy with a first command while three more queue up
        bus(1);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdTheLane(entered);
        CompletableFuture<CommandResultMessage<?>> first = send("first");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<CommandResultMessage<?>>> queued = List.of(send("a"), send("a"), send("a"));

        // when the lane is free again
        release.countDown();

        // then the three ran in one transaction, and each was answered only once it had committed
        assertThat(first.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done first");
        for (CompletableFuture<CommandResultMessage<?>> answer : queued) {
            assertThat(answer.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done a");
        }
        assertThat(transactions.started).hasValue(2);
        assertThat(transactions.log).containsSubsequence("begin 2", "run a", "run a", "run a", "commit 2", "answer a");
        assertThat(transactions.log.indexOf("answer a")).isGreaterThan(transactions.log.indexOf("commit 2"));
    }

    @Test
    void aRefusedCommandEndsItsBatch_whatRanBeforeItIsCommitted_andTheRestRunInTheNextTransaction() throws Exception {
        // given a busy lane with "a", a refused command and "b" queued behind it
        CountDownLatch release = aBusyLane();
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> refused = send("refused");
        CompletableFuture<CommandResultMessage<?>> b = send("b");

        // when the lane runs them
        release.countDown();

        // then the refusal is its caller's answer, and "a" and "b" were committed in transactions of their own
        assertThat(refused.get(5, TimeUnit.SECONDS).isExceptional()).isTrue();
        assertThat(refused.get().exceptionResult()).hasMessage("insufficient funds");
        assertThat(a.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done a");
        assertThat(b.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done b");
        assertThat(transactions.log).containsSubsequence("begin 2", "run a", "run refused", "commit 2",
                "begin 3", "run b", "commit 3");
    }

    @Test
    void aSharedCommitThatFailsOnAConflict_runsEachCommandAgainOnItsOwn() throws Exception {
        // given two commands queued behind a busy lane, and a commit that loses an append race
        CountDownLatch release = aBusyLane();
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> b = send("b");

        // when their shared commit (the second transaction) fails
        transactions.commitFailure = new ConcurrencyException("sequence number taken");
        transactions.failCommitOf = 2;
        release.countDown();

        // then each was run once more in a transaction of its own and answered from that run
        assertThat(a.get(5, TimeUnit.SECONDS).isExceptional() || b.get(5, TimeUnit.SECONDS).isExceptional())
                .as("%s", transactions.log).isFalse();
        assertThat(transactions.log).containsSubsequence("begin 2", "run a", "run b", "commit 2 fails", "rollback 2",
                "begin 3", "run a", "commit 3", "answer a", "begin 4", "run b", "commit 4", "answer b");
    }

    @Test
    void whenTheDatabaseCannotBeReached_everyQueuedCommandHearsItAtOnce_andNoneRuns() throws Exception {
        // given a database that cannot be reached
        bus(1);
        holdTheLane(new CountDownLatch(1)).countDown();
        transactions.failStart = new Unreachable();

        // when three commands are sent
        List<CompletableFuture<CommandResultMessage<?>>> answers = List.of(send("a"), send("b"), send("c"));

        // then each is answered with the failure, and no handler ran
        for (CompletableFuture<CommandResultMessage<?>> answer : answers) {
            assertThat(answer.get(5, TimeUnit.SECONDS).exceptionResult()).isInstanceOf(Unreachable.class);
        }
        assertThat(transactions.log).noneMatch(line -> line.startsWith("run"));
    }

    @Test
    void aCommandSentFromInsideAUnitOfWorkRunsNestedOnTheCallersThread() throws Exception {
        // given a handler that says which thread ran it
        bus(2);
        bus.subscribe(Step.class.getName(), command -> Thread.currentThread().getName());

        // when a command is sent from inside a unit of work, and another from outside any
        DefaultUnitOfWork<?> outer = DefaultUnitOfWork.startAndGet(asCommandMessage(new Step("outer")));
        CompletableFuture<CommandResultMessage<?>> inside = send("inside");
        outer.commit();
        assertThat(CurrentUnitOfWork.isStarted()).isFalse();
        CompletableFuture<CommandResultMessage<?>> outside = send("outside");

        // then the first ran on this thread and the second on a lane
        assertThat(inside.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo(Thread.currentThread().getName());
        assertThat((String) outside.get(5, TimeUnit.SECONDS).getPayload()).startsWith("command-lane-");
    }
}
