package dev.tollgate.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tollgate.api.LedgerRejection;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.CloseAccount;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.DeductCredits;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReadAccountState;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import dev.tollgate.domain.account.UserAccount;
import dev.tollgate.domain.transfer.TransferProcess;
import org.axonframework.test.deadline.StubDeadlineManager;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;

/**
 * The ledger's invariants (DESIGN "The ledger's invariants" 1-3, and 5 for each account) over random histories,
 * run through a real in-memory Axon setup: the UserAccount aggregate on an embedded event store, the TransferProcess
 * on a subscribing processor with an in-memory process store, commands through the command gateway. A fresh setup is
 * started and shut down for every try.
 * <p>
 * After every command: a rejection changed nothing anywhere; available (balance - held) is never negative; a
 * retry with the same idempotency key changed nothing and answered the first receipt; the same key with another
 * body was rejected. After every history: double entry sums to zero with in-flight money, every transfer ended
 * (credited or refunded, never both), every balance is explained by its events, and no process failed.
 */
class LedgerInvariantProperties {

    private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
    private static final List<AccountId> ACCOUNTS =
            List.of(AccountId.of("u0"), AccountId.of("u1"), AccountId.of("u2"), AccountId.of("u3"));
    /** A receiver that no command ever opened: a transfer to it must come back, not stay in flight. */
    private static final AccountId NEVER_OPENED = AccountId.of("nobody");
    private static final int HOLDS_PER_ACCOUNT = 3;

    private Clock originalEventClock;

    @BeforeProperty
    void stampEventsWithTheHistorysOwnTime() {
        // The process stamps its commands with the event's timestamp, and the account forgets idempotency keys by
        // event time: event timestamps must follow the history's clock, not the wall clock.
        originalEventClock = GenericEventMessage.clock;
        // Nothing in a test run may phone home or print banners (DESIGN: the app must not phone home either).
        System.setProperty("axoniq.update-checker.disabled", "true");
        System.setProperty("disable-axoniq-console-message", "true");
    }

    @AfterProperty
    void restoreTheEventClock() {
        GenericEventMessage.clock = originalEventClock;
    }

    // ---- the operations a history is made of ----

    sealed interface Op permits Deposit, Deduct, Reserve, RepeatReserve, Settle, Release, Send, Close, Retry,
            Conflict, Redeliver {
    }

    /**
     * An amount as generated: a fixed number of nano-dollars, or a few nano-dollars either side of the limit the
     * command meets when it runs (the available balance for a debit, the headroom below Long.MAX_VALUE for a
     * credit, hold plus available for a charge), so that histories hit the exact boundaries of every rule.
     */
    record Amount(boolean atLimit, long nanos) {
        long resolve(long limit) {
            if (!atLimit) {
                return nanos;
            }
            try {
                return Math.addExact(limit, nanos);
            } catch (ArithmeticException beyondTheRange) {
                return Long.MAX_VALUE;
            }
        }
    }

    record Deposit(int account, Amount amount, boolean keyed) implements Op {
    }

    record Deduct(int account, Amount amount, boolean keyed) implements Op {
    }

    record Reserve(int account, int hold, Amount amount) implements Op {
    }

    /** Places an open hold again, with the same amount (a retried placement) or another one (a clash). */
    record RepeatReserve(int pick, boolean sameAmount) implements Op {
    }

    /** Settles an open hold ({@code known}), or the hold named by account and number, which may not exist. */
    record Settle(boolean known, int pick, int account, int hold, Amount cost) implements Op {
    }

    record Release(boolean known, int pick, int account, int hold) implements Op {
    }

    /** Where a transfer goes: the generated account, a closed one (when there is one), or one never opened. */
    enum Receiver { GENERATED, CLOSED, NEVER_OPENED }

    record Send(int from, int to, Amount amount, boolean keyed, Receiver receiver) implements Op {
    }

    record Close(int account) implements Op {
    }

    /** Repeats an earlier keyed command exactly (same key, same body): the client did not get its answer. */
    record Retry(int pick) implements Op {
    }

    /** Reuses an earlier command's key with another body: must be refused. */
    record Conflict(int pick) implements Op {
    }

    /**
     * Delivers an earlier transfer step again (a redelivery after a crash): the credit to the receiver, or, for a
     * declined transfer, the refund to the sender.
     */
    record Redeliver(int pick, boolean refund) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Integer> account = Arbitraries.integers().between(0, ACCOUNTS.size() - 1);
        Arbitrary<Integer> hold = Arbitraries.integers().between(0, HOLDS_PER_ACCOUNT - 1);
        Arbitrary<Long> nanos = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.longs().between(1, 50_000_000_000L)),   // up to $50
                Tuple.of(3, Arbitraries.longs().between(1, 1_000)),              // a few nano-dollars
                Tuple.of(1, Arbitraries.longs().between(Long.MAX_VALUE / 3, Long.MAX_VALUE)), // overflow territory
                Tuple.of(1, Arbitraries.of(0L, -1L, Long.MIN_VALUE)));           // never a valid amount
        Arbitrary<Amount> amount = Arbitraries.frequencyOf(
                Tuple.of(4, nanos.map(n -> new Amount(false, n))),
                Tuple.of(1, Arbitraries.longs().between(-2, 2).map(delta -> new Amount(true, delta))));
        Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1_000);
        Arbitrary<Boolean> keyed = Arbitraries.of(true, true, false);
        Arbitrary<Boolean> known = Arbitraries.of(true, true, true, false);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(6, Combinators.combine(account, amount, keyed).as(Deposit::new)),
                Tuple.of(3, Combinators.combine(account, amount, keyed).as(Deduct::new)),
                Tuple.of(6, Combinators.combine(account, hold, amount).as(Reserve::new)),
                Tuple.of(5, Combinators.combine(pick, Arbitraries.of(true, false)).as(RepeatReserve::new)),
                Tuple.of(5, Combinators.combine(known, pick, account, hold, amount).as(Settle::new)),
                Tuple.of(2, Combinators.combine(known, pick, account, hold).as(Release::new)),
                Tuple.of(9, Combinators.combine(account, account, amount, keyed, Arbitraries.frequency(
                        Tuple.of(6, Receiver.GENERATED), Tuple.of(2, Receiver.CLOSED),
                        Tuple.of(1, Receiver.NEVER_OPENED))).as(Send::new)),
                Tuple.of(3, account.map(Close::new)),
                Tuple.of(4, pick.map(Retry::new)),
                Tuple.of(2, pick.map(Conflict::new)),
                Tuple.of(3, Combinators.combine(pick, Arbitraries.of(true, false)).as(Redeliver::new)));
        return op.list().ofMinSize(5).ofMaxSize(60);
    }

    @Property(tries = 200)
    void theLedgerKeepsItsInvariantsWhateverTheHistory(@ForAll("histories") List<Op> history) {
        try (Ledger ledger = new Ledger()) {
            for (AccountId id : ACCOUNTS) {
                ledger.run(new OpenAccount(id, ledger.tick()));
                ledger.run(new DepositCredits(id, "seed-" + id, Money.ofUsd(20), "seed", "test", Intent.NONE,
                        ledger.tick()));
            }
            for (Op op : history) {
                String outcome = ledger.apply(op);
                Statistics.label("outcome").collect(op.getClass().getSimpleName(), outcome);
                ledger.checkNoOverspend(op);
            }
            ledger.redeliverEveryTransferStep();
            ledger.checkHistory();
            Statistics.label("a transfer was declined and refunded").collect(!ledger.declined().isEmpty());
            Statistics.label("a transfer to an account never opened was refunded")
                    .collect(ledger.refunded().stream().anyMatch(r -> r.to().equals(NEVER_OPENED)));
        }
        // The invariants are only worth something if the histories reach the interesting paths.
        Statistics.label("outcome").coverage(checker -> {
            checker.check("Deposit", "booked").count(n -> n > 0);
            checker.check("Deposit", "rejected:invalid_request").count(n -> n > 0);
            checker.check("Deduct", "booked").count(n -> n > 0);
            checker.check("Deduct", "rejected:insufficient_funds").count(n -> n > 0);
            checker.check("Reserve", "booked").count(n -> n > 0);
            checker.check("Reserve", "rejected:insufficient_funds").count(n -> n > 0);
            checker.check("Settle", "booked").count(n -> n > 0);
            checker.check("Settle", "rejected:hold_not_found").count(n -> n > 0);
            checker.check("Release", "booked").count(n -> n > 0);
            checker.check("RepeatReserve", "replayed").count(n -> n > 0);
            checker.check("RepeatReserve", "rejected:idempotency_conflict").count(n -> n > 0);
            checker.check("Send", "booked").count(n -> n > 0);
            checker.check("Send", "rejected:insufficient_funds").count(n -> n > 0);
            checker.check("Close", "booked").count(n -> n > 0);
            checker.check("Retry", "replayed").count(n -> n > 0);
            checker.check("Conflict", "rejected:idempotency_conflict").count(n -> n > 0);
            checker.check("Redeliver", "replayed").count(n -> n > 0);
        });
        Statistics.label("a transfer was declined and refunded").coverage(checker ->
                checker.check(true).count(n -> n > 0));
        Statistics.label("a transfer to an account never opened was refunded").coverage(checker ->
                checker.check(true).count(n -> n > 0));
    }

    // ---- the harness: a real Axon configuration per try, and the checks ----

    /** A keyed command that succeeded, with its first answer, kept to be retried. */
    private record Keyed(Object command, Object conflicting, LedgerReceipt first) {
    }

    private static final class Ledger implements AutoCloseable {

        private final MutableClock clock = new MutableClock(START);
        private final List<Exception> processFailures = new CopyOnWriteArrayList<>();
        private final Configuration axon;
        private final CommandGateway gateway;
        private final List<Keyed> keyed = new ArrayList<>();
        private final List<SendTransfer> transfers = new ArrayList<>();
        private final List<ReserveCredits> openHolds = new ArrayList<>();
        private final Set<AccountId> closed = new HashSet<>();
        private int sequence;

        Ledger() {
            GenericEventMessage.clock = clock;
            axon = DefaultConfigurer.defaultConfiguration()
                    .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                    .configureAggregate(UserAccount.class)
                    // Hold deadlines never fire here: these histories run on their own clock, and expiry has tests
                    // of its own. A real-time deadline manager would release holds in the middle of a history.
                    .configureDeadlineManager(c -> new StubDeadlineManager())
                    .eventProcessing(ep -> ep.usingSubscribingEventProcessors()
                            .registerEventHandler(c -> new TransferProcess(c.commandGateway()))
                            // Like the default (log and go on), but remembered: a failed process step is a defect.
                            .registerDefaultListenerInvocationErrorHandler(c -> (exception, event, handler) ->
                                    processFailures.add(exception)))
                    .buildConfiguration();
            axon.start();
            gateway = axon.commandGateway();
        }

        @Override
        public void close() {
            axon.shutdown();
        }

        Instant tick() {
            // One minute per command: a 60-step history stays well inside the one-day idempotency memory.
            return clock.advanceTo(START.plusSeconds(60L * ++sequence));
        }

        Object run(Object command) {
            return gateway.sendAndWait(command);
        }

        /** Runs one step and checks what must hold right after it; answers how it ended, for the statistics. */
        String apply(Op op) {
            Map<AccountId, Integer> before = eventCounts();
            Object command = commandFor(op);
            if (command == null) {
                return "nothing to repeat";
            }
            Object answer;
            try {
                answer = run(command);
            } catch (LedgerRejection rejection) {
                // A rejection never changes state: the aggregate decides before it applies any event.
                assertThat(eventCounts()).as("events after rejected %s (%s)", op, rejection.code())
                        .isEqualTo(before);
                if (op instanceof Retry || op instanceof Redeliver) {
                    fail("a repeat was rejected instead of answered: %s %s -> %s", op, command, rejection);
                }
                if (op instanceof Conflict) {
                    // Exactly once: the same key with another body is refused as a conflict, not re-evaluated.
                    assertThat(rejection).as("rejection of %s", command)
                            .isInstanceOf(IdempotencyConflictException.class);
                }
                return "rejected:" + rejection.code();
            }
            if (op instanceof Conflict) {
                fail("the same idempotency key with another body was accepted: %s answered %s", command, answer);
            }
            if (answer instanceof LedgerReceipt receipt && receipt.replayed()) {
                // Exactly once: an answered repeat books nothing, anywhere.
                assertThat(eventCounts()).as("events after replayed %s", command).isEqualTo(before);
            }
            if (op instanceof Retry retry) {
                Keyed first = keyed.get(Math.floorMod(retry.pick(), keyed.size()));
                assertThat(answer).as("answer to the retry of %s", first.command())
                        .isEqualTo(first.first().asReplay());
            }
            if (op instanceof Redeliver) {
                assertThat(((LedgerReceipt) answer).replayed()).as("redelivery of %s", command).isTrue();
            }
            if (command instanceof CloseAccount close) {
                closed.add(close.accountId());
            }
            if (!(op instanceof Retry) && answer instanceof LedgerReceipt receipt && !receipt.replayed()) {
                remember(command, receipt);
            }
            if (answer instanceof LedgerReceipt receipt && receipt.replayed()) {
                return command instanceof RefundTransfer ? "replayed refund" : "replayed";
            }
            return "booked";
        }

        /** Transfers to an account that exists: only those can be delivered again (to nobody is no delivery). */
        List<SendTransfer> deliverableTransfers() {
            return transfers.stream().filter(t -> !t.to().equals(NEVER_OPENED)).collect(Collectors.toList());
        }

        List<TransferRefunded> refunded() {
            return ACCOUNTS.stream().flatMap(id -> events(id).stream())
                    .filter(TransferRefunded.class::isInstance)
                    .map(TransferRefunded.class::cast)
                    .collect(Collectors.toList());
        }

        List<TransferDeclined> declined() {
            return ACCOUNTS.stream().flatMap(id -> events(id).stream())
                    .filter(TransferDeclined.class::isInstance)
                    .map(TransferDeclined.class::cast)
                    .collect(Collectors.toList());
        }

        private void remember(Object command, LedgerReceipt receipt) {
            if (command instanceof DepositCredits c && c.intent().hasKey()) {
                keyed.add(new Keyed(c, new DepositCredits(c.accountId(), c.entryId() + "-x",
                        otherAmount(c.amount()), c.note(), c.actor(), otherBody(c.intent()), c.at()),
                        receipt));
            } else if (command instanceof DeductCredits c && c.intent().hasKey()) {
                keyed.add(new Keyed(c, new DeductCredits(c.accountId(), c.entryId() + "-x",
                        Money.ofNanos(1), c.note(), c.actor(), otherBody(c.intent()), c.at()), receipt));
            } else if (command instanceof ReserveCredits c) {
                openHolds.add(c);
            } else if (command instanceof SettleReservation c) {
                openHolds.removeIf(h -> h.accountId().equals(c.accountId()) && h.holdId().equals(c.holdId()));
            } else if (command instanceof ReleaseReservation c) {
                openHolds.removeIf(h -> h.accountId().equals(c.accountId()) && h.holdId().equals(c.holdId()));
            } else if (command instanceof SendTransfer c) {
                transfers.add(c);
                if (c.intent().hasKey()) {
                    keyed.add(new Keyed(c, new SendTransfer(c.from(), c.transferId() + "-x", c.to(),
                            Money.ofNanos(1), c.note(), otherBody(c.intent()), c.at()), receipt));
                }
            }
            // The receipt states the balance the command's own event recorded.
            assertThat(receipt.balanceAfter().isNegative()).as("receipt of %s", command).isFalse();
        }

        /** A different positive amount, whatever the first one was (adding one could overflow). */
        private static Money otherAmount(Money amount) {
            return Money.ofNanos(amount.nanos() == 1 ? 2 : 1);
        }

        private static Intent otherBody(Intent intent) {
            return new Intent(intent.key(), intent.fingerprint() + "/other");
        }

        private Object commandFor(Op op) {
            Instant at = tick();
            int n = sequence;
            if (op instanceof Deposit d) {
                AccountId id = ACCOUNTS.get(d.account());
                long amount = d.amount().resolve(Long.MAX_VALUE - state(id).balance().nanos());
                return new DepositCredits(id, "dep-" + n, Money.ofNanos(amount), "top-up", "admin",
                        intent(d.keyed(), n, "deposit", id, amount), at);
            }
            if (op instanceof Deduct d) {
                AccountId id = ACCOUNTS.get(d.account());
                long amount = d.amount().resolve(state(id).available().nanos());
                return new DeductCredits(id, "ded-" + n, Money.ofNanos(amount), "adjustment", "admin",
                        intent(d.keyed(), n, "deduct", id, amount), at);
            }
            if (op instanceof Reserve r) {
                AccountId id = ACCOUNTS.get(r.account());
                long amount = r.amount().resolve(state(id).available().nanos());
                return new ReserveCredits(id, "h" + r.hold(), Money.ofNanos(amount), "req-" + n,
                        at.plusSeconds(300), at);
            }
            if (op instanceof RepeatReserve r) {
                if (openHolds.isEmpty()) {
                    return null;
                }
                ReserveCredits first = openHolds.get(Math.floorMod(r.pick(), openHolds.size()));
                Money amount = r.sameAmount() ? first.amount() : otherAmount(first.amount());
                return new ReserveCredits(first.accountId(), first.holdId(), amount, first.requestId(),
                        first.expiresAt(), at);
            }
            if (op instanceof Settle s) {
                ReserveCredits hold = s.known() && !openHolds.isEmpty()
                        ? openHolds.get(Math.floorMod(s.pick(), openHolds.size()))
                        : null;
                AccountId id = hold != null ? hold.accountId() : ACCOUNTS.get(s.account());
                String holdId = hold != null ? hold.holdId() : "h" + s.hold();
                long held = hold != null ? hold.amount().nanos() : 0;
                long cost = s.cost().resolve(held + Math.max(0, state(id).available().nanos()));
                // A charge is never negative (Charge refuses it): use the magnitude of the generated amount.
                cost = cost == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(cost);
                Charge charge = new Charge("@cf/meta/llama-3.1-8b-instruct", 1_000, 200, TokenSource.PROVIDER,
                        Money.ofNanos(282_000_000L), Money.ofNanos(827_000_000L), Money.ofNanos(cost), "req-" + n);
                return new SettleReservation(id, holdId, charge, at);
            }
            if (op instanceof Release r) {
                ReserveCredits hold = r.known() && !openHolds.isEmpty()
                        ? openHolds.get(Math.floorMod(r.pick(), openHolds.size()))
                        : null;
                return hold != null
                        ? new ReleaseReservation(hold.accountId(), hold.holdId(), "call failed", at)
                        : new ReleaseReservation(ACCOUNTS.get(r.account()), "h" + r.hold(), "call failed", at);
            }
            if (op instanceof Send s) {
                AccountId from = ACCOUNTS.get(s.from());
                AccountId to = switch (s.receiver()) {
                    case NEVER_OPENED -> NEVER_OPENED;
                    case CLOSED -> closed.stream().min(Comparator.comparing(AccountId::value))
                            .orElse(ACCOUNTS.get(s.to()));
                    case GENERATED -> ACCOUNTS.get(s.to());
                };
                long amount = s.amount().resolve(state(from).available().nanos());
                return new SendTransfer(from, "t-" + n, to, Money.ofNanos(amount), "transfer",
                        intent(s.keyed(), n, "send:" + to, from, amount), at);
            }
            if (op instanceof Close c) {
                return new CloseAccount(ACCOUNTS.get(c.account()), "closed by test", at);
            }
            if (op instanceof Retry r) {
                return keyed.isEmpty() ? null : keyed.get(Math.floorMod(r.pick(), keyed.size())).command();
            }
            if (op instanceof Conflict c) {
                return keyed.isEmpty() ? null : keyed.get(Math.floorMod(c.pick(), keyed.size())).conflicting();
            }
            if (op instanceof Redeliver r) {
                List<TransferRefunded> refunded = refunded();
                if (r.refund() && !refunded.isEmpty()) {
                    TransferRefunded d = refunded.get(Math.floorMod(r.pick(), refunded.size()));
                    return new RefundTransfer(d.from(), d.transferId(), d.reason(), at);
                }
                List<SendTransfer> deliverable = deliverableTransfers();
                if (deliverable.isEmpty()) {
                    return null;
                }
                SendTransfer t = deliverable.get(Math.floorMod(r.pick(), deliverable.size()));
                return new ReceiveTransfer(t.to(), t.transferId(), t.from(), t.amount(), t.note(), at);
            }
            throw new IllegalArgumentException(op.toString());
        }

        private static Intent intent(boolean keyed, int n, String what, AccountId id, long nanos) {
            if (!keyed) {
                return Intent.NONE;
            }
            return new Intent(new IdempotencyKey("key-" + n), what + ":" + id + ":" + nanos);
        }

        /**
         * Exactly once for the transfer process: every credit and every refund, delivered once more at the end,
         * is answered as a replay and changes nothing (whatever the random history happened to redeliver).
         */
        void redeliverEveryTransferStep() {
            Map<AccountId, Integer> before = eventCounts();
            Instant at = tick();
            for (SendTransfer t : deliverableTransfers()) {
                LedgerReceipt again = (LedgerReceipt) run(
                        new ReceiveTransfer(t.to(), t.transferId(), t.from(), t.amount(), t.note(), at));
                assertThat(again.replayed()).as("credit of %s delivered again", t.transferId()).isTrue();
            }
            for (TransferRefunded d : refunded()) {
                LedgerReceipt again = (LedgerReceipt) run(
                        new RefundTransfer(d.from(), d.transferId(), d.reason(), at));
                assertThat(again.replayed()).as("refund of %s delivered again", d.transferId()).isTrue();
            }
            assertThat(eventCounts()).as("events after redelivering every transfer step").isEqualTo(before);
        }

        private AccountState state(AccountId id) {
            return (AccountState) run(new ReadAccountState(id));
        }

        /** Invariant 2 after every command: available never below zero, on any account. */
        void checkNoOverspend(Op after) {
            for (AccountId id : ACCOUNTS) {
                AccountState state = state(id);
                assertThat(state.held().isNegative()).as("held of %s after %s", id, after).isFalse();
                assertThat(state.available().isNegative())
                        .as("available of %s after %s: %s", id, after, state).isFalse();
                assertThat(state.open()).as("open flag of %s", id).isEqualTo(!closed.contains(id));
            }
        }

        /** Invariants 1, 2 (on every event) and 5, and the end of every transfer, over the whole history. */
        void checkHistory() {
            assertThat(processFailures).as("process failures").isEmpty();

            BigInteger users = BigInteger.ZERO;
            BigInteger funding = BigInteger.ZERO;
            BigInteger adjustments = BigInteger.ZERO;
            BigInteger revenue = BigInteger.ZERO;
            BigInteger inFlight = BigInteger.ZERO;
            Map<String, Long> sent = new HashMap<>();
            Map<String, AccountId> receiverOf = new HashMap<>();
            Map<String, Long> received = new HashMap<>();
            Set<String> declined = new HashSet<>();
            Map<String, Long> refunded = new HashMap<>();

            for (AccountId id : ACCOUNTS) {
                long balance = 0;
                long held = 0;
                Map<String, Long> holds = new HashMap<>();
                for (Object event : events(id)) {
                    long previous = balance;
                    if (event instanceof CreditsDeposited e) {
                        funding = funding.subtract(big(e.amount()));
                        balance = Math.addExact(balance, e.amount().nanos());
                        assertThat(e.balanceAfter().nanos()).as("%s", e).isEqualTo(balance);
                    } else if (event instanceof CreditsDeducted e) {
                        adjustments = adjustments.add(big(e.amount()));
                        balance = balance - e.amount().nanos();
                        assertThat(e.balanceAfter().nanos()).as("%s", e).isEqualTo(balance);
                    } else if (event instanceof CreditsReserved e) {
                        holds.put(e.holdId(), e.amount().nanos());
                        held = Math.addExact(held, e.amount().nanos());
                        assertThat(e.heldAfter().nanos()).as("%s", e).isEqualTo(held);
                    } else if (event instanceof ReservationReleased e) {
                        long hold = holds.remove(e.holdId());
                        assertThat(e.amount().nanos()).as("%s", e).isEqualTo(hold);
                        held -= hold;
                        assertThat(e.heldAfter().nanos()).as("%s", e).isEqualTo(held);
                    } else if (event instanceof ReservationSettled e) {
                        long hold = holds.remove(e.holdId());
                        long availableBefore = balance - held;
                        balance = e.balanceAfter().nanos();
                        long collected = previous - balance;
                        // What was collected is the charge, except where the account could not cover it.
                        assertThat(collected).as("collected by %s", e)
                                .isEqualTo(Math.min(e.charge().cost().nanos(), hold + availableBefore));
                        assertThat(e.released().nanos()).as("%s", e).isEqualTo(Math.max(0, hold - collected));
                        assertThat(e.collected().nanos()).as("collected stated on %s", e).isEqualTo(collected);
                        revenue = revenue.add(BigInteger.valueOf(collected));
                        held -= hold;
                        assertThat(e.heldAfter().nanos()).as("%s", e).isEqualTo(held);
                    } else if (event instanceof TransferSent e) {
                        receiverOf.put(e.transferId(), e.to());
                        assertThat(sent.put(e.transferId(), e.amount().nanos())).as("sent twice: %s", e).isNull();
                        inFlight = inFlight.add(big(e.amount()));
                        balance = balance - e.amount().nanos();
                        assertThat(e.balanceAfter().nanos()).as("%s", e).isEqualTo(balance);
                    } else if (event instanceof TransferReceived e) {
                        assertThat(received.put(e.transferId(), e.amount().nanos())).as("credited twice: %s", e)
                                .isNull();
                        inFlight = inFlight.subtract(big(e.amount()));
                        balance = Math.addExact(balance, e.amount().nanos());
                        assertThat(e.balanceAfter().nanos()).as("%s", e).isEqualTo(balance);
                    } else if (event instanceof TransferDeclined e) {
                        assertThat(declined.add(e.transferId())).as("declined twice: %s", e).isTrue();
                    } else if (event instanceof TransferRefunded e) {
                        assertThat(refunded.put(e.transferId(), e.amount().nanos())).as("refunded twice: %s", e)
                                .isNull();
                        inFlight = inFlight.subtract(big(e.amount()));
                        balance = Math.addExact(balance, e.amount().nanos());
                        assertThat(e.balanceAfter().nanos()).as("%s", e).isEqualTo(balance);
                    }
                    // Invariant 2 on every history line: no balance below zero, no hold above the balance.
                    assertThat(balance).as("balance of %s after %s", id, event).isNotNegative();
                    assertThat(balance - held).as("available of %s after %s", id, event).isNotNegative();
                }
                // Invariant 5: the aggregate's balance is the sum of its history.
                AccountState state = (AccountState) run(new ReadAccountState(id));
                assertThat(state.balance().nanos()).as("balance of %s vs its history", id).isEqualTo(balance);
                assertThat(state.held().nanos()).as("held of %s vs its history", id).isEqualTo(held);
                users = users.add(big(state.balance()));
            }

            // Every transfer ended: credited or refunded (after a decline), never both, never neither.
            for (Map.Entry<String, Long> transfer : sent.entrySet()) {
                String id = transfer.getKey();
                boolean credited = received.containsKey(id);
                boolean returned = refunded.containsKey(id);
                assertThat(credited ^ returned).as("transfer %s credited=%s refunded=%s", id, credited, returned)
                        .isTrue();
                assertThat(returned).as("refunded %s iff declined or sent to nobody", id)
                        .isEqualTo(declined.contains(id) || NEVER_OPENED.equals(receiverOf.get(id)));
                assertThat(credited ? received.get(id) : refunded.get(id)).as("amount of %s", id)
                        .isEqualTo(transfer.getValue());
            }
            assertThat(received.keySet()).as("credited without being sent").isSubsetOf(sent.keySet());
            assertThat(refunded.keySet()).as("refunded without being sent").isSubsetOf(sent.keySet());
            assertThat(inFlight).as("money still in flight once every transfer ended").isZero();

            // Invariant 1: double entry, system accounts and money in flight included.
            BigInteger total = users.add(funding).add(revenue).add(adjustments).add(inFlight);
            assertThat(total).as("users %s + funding %s + revenue %s + adjustments %s + in flight %s", users,
                    funding, revenue, adjustments, inFlight).isZero();
        }

        private List<Object> events(AccountId id) {
            return axon.eventStore().readEvents(id.toString()).asStream()
                    .map(DomainEventMessage::getPayload)
                    .collect(Collectors.toList());
        }

        private Map<AccountId, Integer> eventCounts() {
            Map<AccountId, Integer> counts = new HashMap<>();
            for (AccountId id : ACCOUNTS) {
                counts.put(id, (int) axon.eventStore().readEvents(id.toString()).asStream().count());
            }
            return counts;
        }

        private static BigInteger big(Money money) {
            return BigInteger.valueOf(money.nanos());
        }
    }

    /** The history's clock: event messages are stamped with it (see {@link GenericEventMessage#clock}). */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        Instant advanceTo(Instant instant) {
            now = instant;
            return instant;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
