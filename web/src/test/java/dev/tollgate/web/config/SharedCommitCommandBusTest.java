package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.commandhandling.GenericCommandMessage.asCommandMessage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
        final AtomicInteger attempts = new AtomicInteger();
        volatile RuntimeException failStart;
        volatile RuntimeException commitFailure;
        volatile int failCommitOf;

        @Override
        public Transaction startTransaction() {
            attempts.incrementAndGet();
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
    /** Set to lose one append race: the first "a" then fails its batch when the batch's events are stored. */
    private final AtomicBoolean appendRaceLost = new AtomicBoolean(true);
    private SharedCommitCommandBus bus;

    private SharedCommitCommandBus bus(int lanes) {
        bus = new SharedCommitCommandBus(SimpleCommandBus.builder(), transactions,
                command -> ((Step) command.getPayload()).name().hashCode(), failure -> failure instanceof Unreachable,
                lanes, 64);
        return bus;
    }

    /** A store that writes after the commit: each lane commit's write waits until the test writes or fails it. */
    static final class LaterWrites implements SharedCommitCommandBus.LaneCommits {
        final List<java.util.function.Consumer<Throwable>> waiting = Collections.synchronizedList(new ArrayList<>());

        @Override
        public SharedCommitCommandBus.Written commit(Runnable commit) {
            commit.run();
            return waiting::add;
        }

        void write(Throwable failure) {
            List<java.util.function.Consumer<Throwable>> due;
            synchronized (waiting) {
                due = new ArrayList<>(waiting);
                waiting.clear();
            }
            due.forEach(then -> then.accept(failure));
        }
    }

    private SharedCommitCommandBus busWritingLater(LaterWrites writes) {
        bus = new SharedCommitCommandBus(SimpleCommandBus.builder(), transactions,
                command -> 0, failure -> failure instanceof Unreachable, 1, 64, writes,
                command -> ((Step) command.getPayload()).name().startsWith("hold"));
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
            if (name.equals("late")) {
                // as a deadline scheduled when the command's own unit of work commits, and refused then
                CurrentUnitOfWork.get().onPrepareCommit(u -> {
                    throw new IllegalStateException("deadline not stored");
                });
            }
            if (name.equals("a") && appendRaceLost.compareAndSet(false, true)) {
                // as an append that meets another node's event: refused when the batch's events are stored
                CurrentUnitOfWork.get().root().onPrepareCommit(u -> {
                    throw new ConcurrencyException("sequence number taken");
                });
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
    void whereTheStoreWritesAfterTheCommit_aCallerHearsItsAnswerOnceWritten_aHoldAtItsCommit_andABusyLaneGoesOn()
            throws Exception {
        // given a store that makes a commit durable only when it writes, later, and a lane busy with a first command
        // while a deposit-like command, a refused one and a hold queue up behind it
        LaterWrites writes = new LaterWrites();
        busWritingLater(writes);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = holdTheLane(entered);
        CompletableFuture<CommandResultMessage<?>> first = send("first");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> refused = send("refused");
        CompletableFuture<CommandResultMessage<?>> hold = send("hold");

        // when the lane runs them, and the store has not written yet
        release.countDown();

        // then the lane went on past the unwritten commits and answered the hold at its commit; the others wait
        assertThat(hold.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done hold");
        assertThat(first).isNotDone();
        assertThat(a).isNotDone();
        assertThat(refused).isNotDone();
        assertThat(transactions.log).containsSubsequence("commit 1", "begin 2", "run a", "run refused", "commit 2",
                "begin 3", "run hold", "commit 3", "answer hold");

        // and once the store has written, each hears its answer
        writes.write(null);
        assertThat(first.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done first");
        assertThat(a.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done a");
        assertThat(refused.get(5, TimeUnit.SECONDS).exceptionResult()).hasMessage("insufficient funds");
    }

    @Test
    void anIdleLaneWaitsForTheWriteItselfBeforeItTakesTheNextCommand() throws Exception {
        // given a store that writes later, and an idle lane that has just committed a command
        LaterWrites writes = new LaterWrites();
        busWritingLater(writes);
        holdTheLane(new CountDownLatch(1));
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        waitFor(() -> writes.waiting.size() == 1);

        // when a hold arrives before the write
        CompletableFuture<CommandResultMessage<?>> hold = send("hold");
        Thread.sleep(100);

        // then nothing more ran: the lane is waiting for its write, as a lane with nothing else to do may
        assertThat(hold).isNotDone();
        assertThat(transactions.log).doesNotContain("run hold");

        // and after the write, both are answered
        writes.write(null);
        assertThat(a.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done a");
        assertThat(hold.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done hold");
    }

    @Test
    void whereTheWriteAfterTheCommitFails_eachCallerWaitingForItHearsTheFailure() throws Exception {
        // given a committed command waiting for the store's write
        LaterWrites writes = new LaterWrites();
        busWritingLater(writes);
        holdTheLane(new CountDownLatch(1));
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        waitFor(() -> writes.waiting.size() == 1);

        // when that write fails
        writes.write(new IllegalStateException("disk full"));

        // then its caller hears the failure, as from a commit that failed: the outcome is not known to be stored
        assertThat(a.get(5, TimeUnit.SECONDS).isExceptional()).isTrue();
        assertThat(a.get().exceptionResult()).hasMessage("disk full");
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).isTrue();
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
    void aBatchThatLosesAnAppendRace_runsEachCommandAgainOnItsOwn() throws Exception {
        // given two commands queued behind a busy lane, the first of which loses an append race
        CountDownLatch release = aBusyLane();
        appendRaceLost.set(false);
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> b = send("b");

        // when their batch is stored
        release.countDown();

        // then nothing of it was committed, and each ran once more in a transaction of its own and was answered
        assertThat(a.get(5, TimeUnit.SECONDS).isExceptional() || b.get(5, TimeUnit.SECONDS).isExceptional())
                .as("%s", transactions.log).isFalse();
        assertThat(transactions.log).containsSubsequence("begin 2", "run a", "run b", "rollback 2",
                "begin 3", "run a", "commit 3", "answer a", "begin 4", "run b", "commit 4", "answer b");
        assertThat(transactions.log).doesNotContain("commit 2");
    }

    @Test
    void aCommandWhoseOwnCommitFails_failsItsBatch_soThatNothingOfItIsStoredWhileItsCallerHearsAFailure()
            throws Exception {
        // given "a", a command that fails when its own unit of work commits (after it decided), and "b"
        CountDownLatch release = aBusyLane();
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> late = send("late");
        CompletableFuture<CommandResultMessage<?>> b = send("b");

        // when the lane runs them
        release.countDown();

        // then their shared transaction was rolled back and each ran alone: only "late" failed
        assertThat(late.get(5, TimeUnit.SECONDS).exceptionResult()).hasMessage("deadline not stored");
        assertThat(a.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done a");
        assertThat(b.get(5, TimeUnit.SECONDS).getPayload()).isEqualTo("done b");
        assertThat(transactions.log).containsSubsequence("begin 2", "run a", "run late", "rollback 2", "begin 3",
                "run a", "commit 3");
        assertThat(transactions.log).doesNotContain("commit 2");
    }

    @Test
    void aCommitWhoseOutcomeIsUnknown_isEveryonesAnswer_andNothingRunsTwice() throws Exception {
        // given two commands queued behind a busy lane
        CountDownLatch release = aBusyLane();
        CompletableFuture<CommandResultMessage<?>> a = send("a");
        CompletableFuture<CommandResultMessage<?>> b = send("b");

        // when their shared commit is sent and fails (the connection drops: stored or not, nobody knows)
        transactions.commitFailure = new IllegalStateException("connection reset during commit");
        transactions.failCommitOf = 2;
        release.countDown();

        // then both hear that failure, as from Axon's own bus, and neither is run again
        assertThat(a.get(5, TimeUnit.SECONDS).isExceptional()).as("%s", transactions.log).isTrue();
        assertThat(a.get(5, TimeUnit.SECONDS).exceptionResult()).hasMessage("connection reset during commit");
        assertThat(b.get(5, TimeUnit.SECONDS).exceptionResult()).hasMessage("connection reset during commit");
        assertThat(transactions.log.stream().filter(line -> line.equals("run a")).count()).isEqualTo(1);
        assertThat(transactions.log.stream().filter(line -> line.equals("run b")).count()).isEqualTo(1);
    }

    @Test
    void whenTheDatabaseCannotBeReached_everyQueuedCommandHearsItAtOnce_andNoneRuns() throws Exception {
        // given three commands queued behind a busy lane, and a database that then cannot be reached
        CountDownLatch release = aBusyLane();
        List<CompletableFuture<CommandResultMessage<?>>> answers = List.of(send("a"), send("b"), send("c"));
        transactions.failStart = new Unreachable();

        // when the lane takes them
        release.countDown();

        // then each is answered with the failure after a single attempt for all three, and no handler ran
        for (CompletableFuture<CommandResultMessage<?>> answer : answers) {
            assertThat(answer.get(5, TimeUnit.SECONDS).exceptionResult()).isInstanceOf(Unreachable.class);
        }
        assertThat(transactions.attempts).hasValue(2);
        assertThat(transactions.log).doesNotContain("run a", "run b", "run c");
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
