package dev.tollgate.domain.account;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.AccountClosed;
import dev.tollgate.api.account.AccountClosedException;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.HoldDeadline;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.CloseAccount;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.DeductCredits;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.InsufficientFundsException;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReadAccountState;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.account.UnknownHoldException;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.Settlement;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.ReadTransferRefund;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import java.time.Duration;
import java.time.Instant;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every rule of the user account, one test per rule, in the giftcard-demo style: given past events, when a
 * command, then the events it applies (or the rejection and no events) and the answer the caller gets.
 * Times are fixed instants: the aggregate's idempotency memory is driven by event time, so tests must own it.
 */
class UserAccountTest {

    static final AccountId ALICE = AccountId.of("alice");
    static final AccountId BOB = AccountId.of("bob");
    static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
    static final Instant T1 = T0.plusSeconds(60);
    static final Instant T2 = T0.plusSeconds(120);
    static final Instant T3 = T0.plusSeconds(180);

    static final Intent KEY_1 = new Intent(new IdempotencyKey("key-1"), "fp-1");
    static final Intent KEY_1_OTHER_BODY = new Intent(new IdempotencyKey("key-1"), "fp-other");
    static final Intent KEY_2 = new Intent(new IdempotencyKey("key-2"), "fp-2");

    private FixtureConfiguration<UserAccount> fixture;

    @BeforeEach
    void setUp() {
        // UserAccount's @Aggregate names a cache and a snapshot trigger bean; the fixture ignores both.
        fixture = new AggregateTestFixture<>(UserAccount.class);
    }

    static Money usd(String amount) {
        return Money.parsePositiveUsd(amount);
    }

    static AccountOpened opened() {
        return new AccountOpened(ALICE, AccountKind.USER, T0);
    }

    static CreditsDeposited deposited(String entryId, String amount, String balanceAfter, Intent intent,
                                      Instant at) {
        return new CreditsDeposited(ALICE, entryId, usd(amount), Money.parseUsd(balanceAfter), "top-up", "admin",
                intent, at);
    }

    static CreditsDeposited deposited(String amount) {
        return deposited("dep-0", amount, amount, Intent.NONE, T0);
    }

    static CreditsReserved reserved(String holdId, String amount, String heldAfter) {
        return new CreditsReserved(ALICE, holdId, usd(amount), Money.parseUsd(heldAfter), "req-" + holdId,
                T0.plusSeconds(300), T0);
    }

    static ReserveCredits reserve(String holdId, String amount) {
        return new ReserveCredits(ALICE, holdId, usd(amount), "req-" + holdId, T1.plusSeconds(300), T1);
    }

    static Charge charge(String holdId, String cost) {
        return new Charge("@cf/meta/llama-3.1-8b-instruct", 1_000, 200, TokenSource.PROVIDER,
                Money.ofNanos(282_000_000L), Money.ofNanos(827_000_000L), Money.parseUsd(cost), "req-" + holdId);
    }

    static TransferSent sent(String transferId, String amount, String balanceAfter, Intent intent) {
        return new TransferSent(ALICE, transferId, BOB, usd(amount), Money.parseUsd(balanceAfter), "lunch", intent,
                T0);
    }

    @Nested
    class Opening {

        @Test
        void openingAnAccountRecordsThatItIsOpen() {
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount(ALICE, T0))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new AccountOpened(ALICE, AccountKind.USER, T0))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, Money.ZERO, Money.ZERO, true)));
        }

        @ParameterizedTest
        @ValueSource(strings = {"funding", "revenue", "adjustments"})
        void aSystemAccountCannotBeOpenedAsAUserAccount(String system) {
            // funding, revenue and adjustments are the other side of every entry, never a user's wallet
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount(AccountId.of(system), T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void readingTheStateAnswersFromTheAggregateAndAppliesNothing() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    .when(new ReadAccountState(ALICE))
                    .expectNoEvents()
                    // version 2: the sequence number of the third event, for readers that wait on projections
                    .expectResultMessagePayload(new AccountState(ALICE, usd("10"), usd("3"), true, 2));
        }
    }

    @Nested
    class Deposits {

        @Test
        void aDepositAddsToTheBalanceAndRecordsTheBalanceItLeaves() {
            fixture.given(opened(), deposited("10"))
                    .when(new DepositCredits(ALICE, "dep-1", usd("2.5"), "top-up", "admin", KEY_1, T1))
                    .expectEvents(deposited("dep-1", "2.5", "12.5", KEY_1, T1))
                    .expectResultMessagePayload(new LedgerReceipt("dep-1", usd("12.5"), false));
        }

        @Test
        void aDepositWithoutAKeyIsRecordedWithNoIntent() {
            // A null intent from a caller must not reach the permanent record as null.
            fixture.given(opened())
                    .when(new DepositCredits(ALICE, "dep-1", usd("1"), "top-up", "admin", null, T1))
                    .expectEvents(deposited("dep-1", "1", "1", Intent.NONE, T1));
        }

        @Test
        void aRetriedDepositWithTheSameKeyAndBodyAnswersTheFirstReceiptAndBooksNothing() {
            // given the first deposit under key-1 left the balance at 12.5, and more happened since
            fixture.given(opened(), deposited("dep-1", "12.5", "12.5", KEY_1, T1),
                            deposited("dep-2", "1", "13.5", KEY_2, T2))
                    // when the client retries the first request
                    .when(new DepositCredits(ALICE, "dep-1-retry", usd("12.5"), "top-up", "admin", KEY_1, T3))
                    // then it gets the first answer again, marked as a replay, and no money moves twice
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("dep-1", usd("12.5"), true))
                    .expectState(account -> assertThat(account.state().balance()).isEqualTo(usd("13.5")));
        }

        @Test
        void theSameKeyWithAnotherBodyIsAConflict() {
            fixture.given(opened(), deposited("dep-1", "12.5", "12.5", KEY_1, T1))
                    .when(new DepositCredits(ALICE, "dep-9", usd("99"), "top-up", "admin", KEY_1_OTHER_BODY, T2))
                    .expectException(IdempotencyConflictException.class)
                    .expectNoEvents();
        }

        @Test
        void aRetryAfterTheAccountClosedStillGetsTheFirstAnswer() {
            // The first request succeeded; the client only missed the answer. Closing since does not change that.
            fixture.given(opened(), deposited("dep-1", "5", "5", KEY_1, T1), new AccountClosed(ALICE, "bye", T2))
                    .when(new DepositCredits(ALICE, "dep-1", usd("5"), "top-up", "admin", KEY_1, T3))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("dep-1", usd("5"), true));
        }

        @Test
        void aDepositToAClosedAccountIsRejected() {
            fixture.given(opened(), new AccountClosed(ALICE, "bye", T1))
                    .when(new DepositCredits(ALICE, "dep-1", usd("5"), "top-up", "admin", KEY_1, T2))
                    .expectException(AccountClosedException.class)
                    .expectNoEvents();
        }

        @Test
        void aDepositThatWouldOverflowTheBalanceIsRejectedNotWrapped() {
            fixture.given(opened(), new CreditsDeposited(ALICE, "dep-0", Money.ofNanos(Long.MAX_VALUE),
                            Money.ofNanos(Long.MAX_VALUE), null, "admin", Intent.NONE, T0))
                    .when(new DepositCredits(ALICE, "dep-1", Money.ofNanos(1), "top-up", "admin", KEY_1, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @ParameterizedTest
        @ValueSource(longs = {0, -1, Long.MIN_VALUE})
        void aDepositOfZeroOrLessIsRejected(long nanos) {
            fixture.given(opened())
                    .when(new DepositCredits(ALICE, "dep-1", Money.ofNanos(nanos), "top-up", "admin", Intent.NONE, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void anIdempotencyKeyIsRememberedForADayOfEventTime() {
            // given key-1 was used, and later events moved event time more than a day (MEMORY) past it
            Instant dayLater = T1.plus(UserAccount.MEMORY).plusSeconds(1);
            fixture.given(opened(), deposited("dep-1", "1", "1", KEY_1, T1),
                            deposited("dep-2", "1", "2", Intent.NONE, dayLater))
                    // when key-1 comes again
                    .when(new DepositCredits(ALICE, "dep-3", usd("1"), "top-up", "admin", KEY_1, dayLater))
                    // then it is a new intent: the memory is bounded, and a replay forgets exactly the same
                    .expectEvents(deposited("dep-3", "1", "3", KEY_1, dayLater));
        }
    }

    @Nested
    class Deductions {

        @Test
        void aDeductionTakesFromTheBalanceAndRecordsTheBalanceItLeaves() {
            fixture.given(opened(), deposited("10"))
                    .when(new DeductCredits(ALICE, "ded-1", usd("4"), "chargeback", "admin", KEY_1, T1))
                    .expectEvents(new CreditsDeducted(ALICE, "ded-1", usd("4"), usd("6"), "chargeback", "admin",
                            KEY_1, T1))
                    .expectResultMessagePayload(new LedgerReceipt("ded-1", usd("6"), false));
        }

        @Test
        void aDeductionBeyondTheAvailableBalanceIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new DeductCredits(ALICE, "ded-1", usd("10.000000001"), "x", "admin", Intent.NONE, T1))
                    .expectException(InsufficientFundsException.class)
                    .expectNoEvents();
        }

        @Test
        void aDeductionCannotTakeMoneyThatIsHeldForACall() {
            // given 10 booked of which 8 are held: only 2 are available
            fixture.given(opened(), deposited("10"), reserved("h1", "8", "8"))
                    .when(new DeductCredits(ALICE, "ded-1", usd("3"), "x", "admin", Intent.NONE, T1))
                    .expectException(InsufficientFundsException.class)
                    .expectNoEvents();
        }

        @Test
        void theWholeAvailableBalanceCanBeDeducted() {
            fixture.given(opened(), deposited("10"), reserved("h1", "8", "8"))
                    .when(new DeductCredits(ALICE, "ded-1", usd("2"), "x", "admin", Intent.NONE, T1))
                    .expectEvents(new CreditsDeducted(ALICE, "ded-1", usd("2"), usd("8"), "x", "admin", Intent.NONE,
                            T1))
                    .expectState(account -> assertThat(account.state().available()).isEqualTo(Money.ZERO));
        }

        @Test
        void aClosedAccountCanStillBeDeducted() {
            // An admin must be able to take back money from an account that no longer accepts new money.
            fixture.given(opened(), deposited("10"), new AccountClosed(ALICE, "bye", T1))
                    .when(new DeductCredits(ALICE, "ded-1", usd("10"), "payout", "admin", Intent.NONE, T2))
                    .expectEvents(new CreditsDeducted(ALICE, "ded-1", usd("10"), Money.ZERO, "payout", "admin",
                            Intent.NONE, T2));
        }

        @Test
        void aRetriedDeductionAnswersTheFirstReceiptAndTakesNothingMore() {
            fixture.given(opened(), deposited("10"),
                            new CreditsDeducted(ALICE, "ded-1", usd("4"), usd("6"), "x", "admin", KEY_1, T1))
                    .when(new DeductCredits(ALICE, "ded-1", usd("4"), "x", "admin", KEY_1, T2))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("ded-1", usd("6"), true));
        }

        @Test
        void aDeductionUnderAKeyUsedForAnotherBodyIsAConflict() {
            fixture.given(opened(), deposited("dep-1", "10", "10", KEY_1, T1))
                    .when(new DeductCredits(ALICE, "ded-1", usd("4"), "x", "admin", KEY_1_OTHER_BODY, T2))
                    .expectException(IdempotencyConflictException.class)
                    .expectNoEvents();
        }

        @Test
        void aDeductionOfZeroIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new DeductCredits(ALICE, "ded-1", Money.ZERO, "x", "admin", Intent.NONE, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class Reservations {

        @Test
        void aReservationSetsMoneyAsideWithoutBookingIt() {
            fixture.given(opened(), deposited("10"))
                    .when(reserve("h1", "3"))
                    .expectEvents(new CreditsReserved(ALICE, "h1", usd("3"), usd("3"), "req-h1", T1.plusSeconds(300),
                            T1))
                    .expectResultMessagePayload(new LedgerReceipt("h1", usd("10"), false))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("10"), usd("3"), true)));
        }

        @Test
        void reservationBeyondAvailableBalanceIsRejected() {
            // given 10 booked, 8 already held
            fixture.given(opened(), deposited("10"), reserved("h1", "8", "8"))
                    // when a second call wants 2.000000001
                    .when(reserve("h2", "2.000000001"))
                    // then it is refused: available may never go below zero through a reservation
                    .expectException(InsufficientFundsException.class)
                    .expectNoEvents();
        }

        @Test
        void aReservationMayTakeExactlyTheAvailableBalance() {
            fixture.given(opened(), deposited("10"), reserved("h1", "8", "8"))
                    .when(reserve("h2", "2"))
                    .expectEvents(new CreditsReserved(ALICE, "h2", usd("2"), usd("10"), "req-h2", T1.plusSeconds(300),
                            T1));
        }

        @Test
        void placingTheSameHoldAgainWithTheSameAmountIsANoOp() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    .when(reserve("h1", "3"))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("h1", usd("10"), true));
        }

        @Test
        void placingTheSameHoldWithAnotherAmountIsAConflict() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    .when(reserve("h1", "4"))
                    .expectException(IdempotencyConflictException.class)
                    .expectNoEvents();
        }

        @Test
        void aClosedAccountTakesNoNewHolds() {
            fixture.given(opened(), deposited("10"), new AccountClosed(ALICE, "bye", T0))
                    .when(reserve("h1", "1"))
                    .expectException(AccountClosedException.class)
                    .expectNoEvents();
        }

        @Test
        void aReservationOfZeroIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new ReserveCredits(ALICE, "h1", Money.ZERO, "req-h1", T2, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class Settlements {

        @Test
        void settlingBelowTheHoldBooksTheCostAndReleasesTheRest() {
            // given 10 booked, a hold of 3
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    // when the call really cost 0.000628850
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "0.00062885"), T1))
                    // then that is booked, the rest of the hold goes back to available, and the hold is gone
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "0.00062885"),
                            usd("0.00062885"), usd("2.99937115"), usd("9.99937115"), Money.ZERO, T1))
                    .expectResultMessagePayload(new Settlement("h1", usd("0.00062885"), usd("9.99937115")))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("9.99937115"), Money.ZERO, true)));
        }

        @Test
        void settlingExactlyTheHoldReleasesNothing() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "3"), T1))
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "3"), usd("3"), Money.ZERO, usd("7"),
                            Money.ZERO, T1));
        }

        @Test
        void settlingAboveTheHoldTakesTheExcessFromTheAvailableBalance() {
            // The provider counted more tokens than the estimate: the excess is still owed and there is room.
            fixture.given(opened(), deposited("10"), reserved("h1", "1", "1"))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "1.5"), T1))
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "1.5"), usd("1.5"), Money.ZERO, usd("8.5"),
                            Money.ZERO, T1));
        }

        @Test
        void settlingAboveEverythingAvailableIsCappedSoTheBalanceNeverGoesNegative() {
            // given 10 booked; hold h1 of 4 and hold h2 of 5 (1 available beyond both)
            fixture.given(opened(), deposited("10"), reserved("h1", "4", "4"), reserved("h2", "5", "9"))
                    // when h1's call cost 7
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "7"), T1))
                    // then only h1's 4 plus the free 1 are collected: h2's money stays covered, nothing goes
                    // negative, the charge still states the full computed cost, and the answer what was collected
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "7"), usd("5"), Money.ZERO, usd("5"),
                            usd("5"), T1))
                    .expectResultMessagePayload(new Settlement("h1", usd("5"), usd("5")))
                    .expectState(account -> {
                        assertThat(account.state()).isEqualTo(new AccountState(ALICE, usd("5"), usd("5"), true));
                        assertThat(account.state().available()).isEqualTo(Money.ZERO);
                    });
        }

        @Test
        void settlingAnUnknownHoldIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new SettleReservation(ALICE, "nope", charge("nope", "1"), T1))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }

        @Test
        void aHoldCanBeSettledOnlyOnce() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationSettled(ALICE, "h1", charge("h1", "1"), usd("1"), usd("2"), usd("9"), Money.ZERO, T1))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "1"), T2))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class HoldExpiry {
        @Test
        void aHoldThatIsNeitherSettledNorReleasedExpiresAtItsDeadline() {
            // given 10 booked and a hold of 3 that must end by T0 + 600 s
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .when(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0))
                    .expectScheduledDeadlineWithName(java.time.Duration.ofSeconds(600), HoldDeadline.NAME)
                    .expectEvents(new CreditsReserved(ALICE, "h1", usd("3"), usd("3"), "req-1", T0.plusSeconds(600), T0));
        }

        @Test
        void whenTheDeadlinePassesTheWholeHoldIsFreedAndMarkedExpired() {
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0))
                    .whenTimeElapses(java.time.Duration.ofSeconds(601))
                    .expectDeadlinesMet(new HoldDeadline("h1"))
                    .expectEvents(new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "expired", true,
                            T0.plusSeconds(600)))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("10"), Money.ZERO, true)));
        }

        @Test
        void aSecondHoldWhileTheAccountsDeadlineIsPendingSchedulesNoneOfItsOwn() {
            // given a hold whose deadline is pending at T0 + 600 s
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0))
                    // when a second hold that expires later is placed
                    .when(new ReserveCredits(ALICE, "h2", usd("2"), "req-2", T0.plusSeconds(610), T0.plusSeconds(10)))
                    // then the pending deadline serves it too: no second one
                    .expectEvents(new CreditsReserved(ALICE, "h2", usd("2"), usd("5"), "req-2", T0.plusSeconds(610),
                            T0.plusSeconds(10)))
                    .expectScheduledDeadlineWithName(T0.plusSeconds(600), HoldDeadline.NAME)
                    .expectNoScheduledDeadlineWithName(T0.plusSeconds(610), HoldDeadline.NAME);
        }

        @Test
        void aHoldThatExpiresBeforeThePendingDeadlineGetsOneOfItsOwn() {
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0))
                    .when(new ReserveCredits(ALICE, "h2", usd("2"), "req-2", T0.plusSeconds(60), T0.plusSeconds(10)))
                    .expectScheduledDeadlineWithName(T0.plusSeconds(60), HoldDeadline.NAME);
        }

        @Test
        void aHoldPlacedAfterTheAccountsDeadlinePassedGetsOneOfItsOwn() {
            // given an account whose events show a deadline at T0 + 600 s, which has passed by T0 + 700 s
            fixture.given(opened(), deposited("10"), new CreditsReserved(ALICE, "h1", usd("3"), usd("3"), "req-1",
                            T0.plusSeconds(600), T0),
                            new ReservationSettled(ALICE, "h1", charge("h1", "1"), usd("1"), usd("2"), usd("9"),
                                    Money.ZERO, T0.plusSeconds(5)))
                    .when(new ReserveCredits(ALICE, "h2", usd("2"), "req-2", T0.plusSeconds(1300), T0.plusSeconds(700)))
                    .expectScheduledDeadlineWithName(T0.plusSeconds(1300), HoldDeadline.NAME);
        }

        @Test
        void theDeadlineFreesEveryExpiredHoldAndTheHoldsStillOpenGetTheNext() {
            // given h1 expiring at T0 + 600 s (its deadline pending) and h2 at T0 + 900 s (served by the same one)
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0),
                            new ReserveCredits(ALICE, "h2", usd("2"), "req-2", T0.plusSeconds(900),
                                    T0.plusSeconds(300)))
                    // when the deadline passes
                    .whenTimeElapses(java.time.Duration.ofSeconds(601))
                    // then h1 expires, h2 stays held and gets a deadline at its own expiry
                    .expectDeadlinesMet(new HoldDeadline("h1"))
                    .expectEvents(new ReservationReleased(ALICE, "h1", usd("3"), usd("2"), "expired", true,
                            T0.plusSeconds(600)))
                    .expectScheduledDeadlineWithName(T0.plusSeconds(900), HoldDeadline.NAME)
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("10"), usd("2"), true)));
        }

        @Test
        void aHoldServedByAnotherHoldsDeadlineStillExpires() {
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0),
                            new ReserveCredits(ALICE, "h2", usd("2"), "req-2", T0.plusSeconds(900),
                                    T0.plusSeconds(300)),
                            new SettleReservation(ALICE, "h1", charge("h1", "1"), T0.plusSeconds(5)))
                    .whenTimeElapses(java.time.Duration.ofSeconds(901))
                    .expectEvents(new ReservationReleased(ALICE, "h2", usd("2"), Money.ZERO, "expired", true,
                            T0.plusSeconds(900)))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("9"), Money.ZERO, true)));
        }

        @Test
        void aSettledHoldsDeadlineFindsNothingToDo() {
            fixture.given(opened(), deposited("10"))
                    .andGivenCurrentTime(T0)
                    .andGivenCommands(new ReserveCredits(ALICE, "h1", usd("3"), "req-1", T0.plusSeconds(600), T0),
                            new SettleReservation(ALICE, "h1", charge("h1", "1"), T0.plusSeconds(5)))
                    .whenTimeElapses(java.time.Duration.ofSeconds(601))
                    .expectNoEvents();
        }
    }

    @Nested
    class Releases {

        @Test
        void releasingAHoldFreesAllOfItAndBooksNothing() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"), reserved("h2", "2", "5"))
                    .when(new ReleaseReservation(ALICE, "h1", "provider failed", T1))
                    .expectEvents(new ReservationReleased(ALICE, "h1", usd("3"), usd("2"), "provider failed", false,
                            T1))
                    .expectResultMessagePayload(new LedgerReceipt("h1", usd("10"), false))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("10"), usd("2"), true)));
        }

        @Test
        void releasingAnUnknownHoldIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new ReleaseReservation(ALICE, "nope", "x", T1))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }

        @Test
        void aCallThatOutlastedItsHoldIsStillChargedFromTheAvailableBalance() {
            // given 10 booked and a hold of 3 that its deadline released while the call was still running
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "expired", true, T1))
                    // when the call's result comes: it cost 2
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "2"), T2))
                    // then the 2 are booked from the available balance; nothing was held, nothing is released
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "2"), usd("2"), Money.ZERO,
                            usd("8"), Money.ZERO, T2))
                    .expectResultMessagePayload(new Settlement("h1", usd("2"), usd("8")))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("8"), Money.ZERO, true)));
        }

        @Test
        void aLapsedCallTakesOnlyWhatIsAvailableSoOtherHoldsStayCoveredAndNothingGoesNegative() {
            // given 10 booked, h1 lapsed, and h2 holding 9 of them since (1 available)
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "expired", true, T1),
                            reserved("h2", "9", "9"))
                    // when h1's result comes: it cost 2
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "2"), T2))
                    // then only the available 1 is collected; h2 stays held in full
                    .expectEvents(new ReservationSettled(ALICE, "h1", charge("h1", "2"), usd("1"), Money.ZERO,
                            usd("9"), usd("9"), T2))
                    .expectState(account -> {
                        assertThat(account.state()).isEqualTo(new AccountState(ALICE, usd("9"), usd("9"), true));
                        assertThat(account.state().available()).isEqualTo(Money.ZERO);
                    });
        }

        @Test
        void aLapsedHoldIsSettledOnlyOnce() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "expired", true, T1),
                            new ReservationSettled(ALICE, "h1", charge("h1", "2"), usd("2"), Money.ZERO, usd("8"),
                                    Money.ZERO, T2))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "2"), T2))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }

        @Test
        void aHoldThatLapsedLongerAgoThanTheLedgerRemembersCanNoLongerBeSettled() {
            // given h1 lapsed at T1, and another hold lapsed more than a day later
            Instant dayLater = T1.plus(UserAccount.MEMORY).plusSeconds(1);
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "expired", true, T1),
                            reserved("h2", "1", "1"),
                            new ReservationReleased(ALICE, "h2", usd("1"), Money.ZERO, "expired", true, dayLater))
                    // then h1 is forgotten, h2 is not
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "2"), dayLater))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }

        @Test
        void aReleasedHoldCannotBeSettled() {
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"),
                            new ReservationReleased(ALICE, "h1", usd("3"), Money.ZERO, "x", false, T1))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "1"), T2))
                    .expectException(UnknownHoldException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class Closing {

        @Test
        void closingAnAccountKeepsItsBalanceBooked() {
            fixture.given(opened(), deposited("10"))
                    .when(new CloseAccount(ALICE, "user asked", T1))
                    .expectEvents(new AccountClosed(ALICE, "user asked", T1))
                    .expectState(account -> assertThat(account.state())
                            .isEqualTo(new AccountState(ALICE, usd("10"), Money.ZERO, false)));
        }

        @Test
        void anAccountWithOpenHoldsCannotBeClosed() {
            // A hold must end settled, released or expired; closing would strand it.
            fixture.given(opened(), deposited("10"), reserved("h1", "3", "3"))
                    .when(new CloseAccount(ALICE, "user asked", T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void aClosedAccountCannotBeClosedAgain() {
            fixture.given(opened(), new AccountClosed(ALICE, "bye", T1))
                    .when(new CloseAccount(ALICE, "again", T2))
                    .expectException(AccountClosedException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class SendingTransfers {

        @Test
        void sendingATransferDebitsTheSenderAndPutsTheMoneyInFlight() {
            fixture.given(opened(), deposited("10"))
                    .when(new SendTransfer(ALICE, "t-1", BOB, usd("4"), "lunch", KEY_1, T0))
                    .expectEvents(sent("t-1", "4", "6", KEY_1))
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("6"), false));
        }

        @Test
        void aTransferToTheSameAccountIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new SendTransfer(ALICE, "t-1", ALICE, usd("4"), "loop", Intent.NONE, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void aTransferBeyondTheAvailableBalanceIsRejected() {
            // given 10 booked, 7 held: 3 available
            fixture.given(opened(), deposited("10"), reserved("h1", "7", "7"))
                    .when(new SendTransfer(ALICE, "t-1", BOB, usd("3.5"), "lunch", Intent.NONE, T1))
                    .expectException(InsufficientFundsException.class)
                    .expectNoEvents();
        }

        @Test
        void aRetriedTransferAnswersTheFirstReceiptAndSendsNothingMore() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", KEY_1))
                    .when(new SendTransfer(ALICE, "t-1-again", BOB, usd("4"), "lunch", KEY_1, T1))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("6"), true));
        }

        @Test
        void aTransferUnderAKeyUsedForAnotherBodyIsAConflict() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", KEY_1))
                    .when(new SendTransfer(ALICE, "t-2", BOB, usd("5"), "rent", KEY_1_OTHER_BODY, T1))
                    .expectException(IdempotencyConflictException.class)
                    .expectNoEvents();
        }

        @Test
        void aClosedAccountCannotSend() {
            fixture.given(opened(), deposited("10"), new AccountClosed(ALICE, "bye", T0))
                    .when(new SendTransfer(ALICE, "t-1", BOB, usd("1"), "x", Intent.NONE, T1))
                    .expectException(AccountClosedException.class)
                    .expectNoEvents();
        }

        @Test
        void aTransferOfZeroIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new SendTransfer(ALICE, "t-1", BOB, Money.ZERO, "x", Intent.NONE, T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class ReceivingTransfers {

        // Here the account under test is the receiver: ALICE receives from BOB.

        @Test
        void receivingATransferCreditsTheReceiver() {
            fixture.given(opened(), deposited("1"))
                    .when(new ReceiveTransfer(ALICE, "t-1", BOB, usd("4"), "lunch", T1))
                    .expectEvents(new TransferReceived(ALICE, "t-1", BOB, usd("4"), usd("5"), "lunch", T1))
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("5"), false));
        }

        @Test
        void aClosedAccountDeclinesATransferWithAnEventNotAnException() {
            // The saga refunds the sender on TransferDeclined; an exception would leave the money in flight.
            fixture.given(opened(), deposited("1"), new AccountClosed(ALICE, "bye", T0))
                    .when(new ReceiveTransfer(ALICE, "t-1", BOB, usd("4"), "lunch", T1))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new TransferDeclined(ALICE, "t-1", BOB, usd("4"), "account closed", T1))
                    .expectState(account -> assertThat(account.state().balance()).isEqualTo(usd("1")));
        }

        @Test
        void aTransferThatWouldOverflowTheReceiverIsDeclined() {
            fixture.given(opened(), new CreditsDeposited(ALICE, "dep-0", Money.ofNanos(Long.MAX_VALUE),
                            Money.ofNanos(Long.MAX_VALUE), null, "admin", Intent.NONE, T0))
                    .when(new ReceiveTransfer(ALICE, "t-1", BOB, Money.ofNanos(1), "x", T1))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new TransferDeclined(ALICE, "t-1", BOB, Money.ofNanos(1), "balance would overflow",
                            T1));
        }

        @Test
        void aDuplicateDeliveryCreditsNothingAndAnswersTheFirstReceipt() {
            // given t-1 was credited (balance 5) and the balance moved on since
            fixture.given(opened(), deposited("1"),
                            new TransferReceived(ALICE, "t-1", BOB, usd("4"), usd("5"), "lunch", T1),
                            deposited("dep-2", "1", "6", Intent.NONE, T2))
                    // when the saga delivers t-1 again (redelivery after a crash)
                    .when(new ReceiveTransfer(ALICE, "t-1", BOB, usd("4"), "lunch", T3))
                    // then nothing is credited twice
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("5"), true));
        }

        @Test
        void aDuplicateDeliveryOfADeclinedTransferDeclinesNothingMore() {
            fixture.given(opened(), new AccountClosed(ALICE, "bye", T0),
                            new TransferDeclined(ALICE, "t-1", BOB, usd("4"), "account closed", T1))
                    .when(new ReceiveTransfer(ALICE, "t-1", BOB, usd("4"), "lunch", T2))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("t-1", Money.ZERO, true));
        }
    }

    @Nested
    class Refunds {

        @Test
        void aRefundGivesTheInFlightAmountBackToTheSender() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE))
                    .when(new RefundTransfer(ALICE, "t-1", "account closed", T1))
                    .expectEvents(new TransferRefunded(ALICE, "t-1", BOB, usd("4"), usd("10"), "account closed", T1))
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("10"), false));
        }

        @Test
        void aTransferIsRefundedOnlyOnceAndTheSecondRefundReplaysTheFirst() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE),
                            new TransferRefunded(ALICE, "t-1", BOB, usd("4"), usd("10"), "account closed", T1))
                    .when(new RefundTransfer(ALICE, "t-1", "account closed", T2))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("10"), true));
        }

        @Test
        void aRefundedTransferIsReadAsItsRefundsReceiptSoARetryCanAnswerAsTheFirstRequest() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE),
                            new TransferRefunded(ALICE, "t-1", BOB, usd("4"), usd("10"), "account closed", T1))
                    .when(new ReadTransferRefund(ALICE, "t-1"))
                    .expectNoEvents()
                    .expectResultMessagePayload(new LedgerReceipt("t-1", usd("10"), true));
        }

        @Test
        void aTransferNotRefundedIsReadAsNoRefund() {
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE))
                    .when(new ReadTransferRefund(ALICE, "t-1"))
                    .expectNoEvents()
                    .expectResultMessagePayload(null);
        }

        @Test
        void refundingAnUnknownTransferIsRejected() {
            fixture.given(opened(), deposited("10"))
                    .when(new RefundTransfer(ALICE, "t-404", "x", T1))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void aClosedSenderIsStillRefunded() {
            // The money must go home even if the sender closed the account in the meantime.
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE),
                            new AccountClosed(ALICE, "bye", T1))
                    .when(new RefundTransfer(ALICE, "t-1", "account closed", T2))
                    .expectEvents(new TransferRefunded(ALICE, "t-1", BOB, usd("4"), usd("10"), "account closed", T2));
        }

        @Test
        void aRefundWithinTheMemoryWindowIsStillPossibleAfterOtherActivity() {
            // The sender kept using the account; the in-flight record of t-1 must survive that.
            Instant later = T0.plus(Duration.ofHours(23));
            fixture.given(opened(), deposited("10"), sent("t-1", "4", "6", Intent.NONE),
                            deposited("dep-2", "1", "7", Intent.NONE, later))
                    .when(new RefundTransfer(ALICE, "t-1", "account closed", later))
                    .expectEvents(new TransferRefunded(ALICE, "t-1", BOB, usd("4"), usd("11"), "account closed",
                            later));
        }
    }
}
