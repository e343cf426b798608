package dev.tollgate.domain.account;

import static dev.tollgate.domain.account.UserAccountTest.ALICE;
import static dev.tollgate.domain.account.UserAccountTest.T0;
import static dev.tollgate.domain.account.UserAccountTest.charge;
import static dev.tollgate.domain.account.UserAccountTest.deposited;
import static dev.tollgate.domain.account.UserAccountTest.opened;
import static dev.tollgate.domain.account.UserAccountTest.usd;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.api.budget.BudgetSet;
import dev.tollgate.api.budget.BudgetStatus;
import dev.tollgate.api.budget.BudgetThresholdCrossed;
import dev.tollgate.api.budget.ChangeBudget;
import dev.tollgate.api.budget.ReadBudget;
import dev.tollgate.api.budget.SetBudget;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import java.util.List;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Budgets (ADR 27): limits per UTC day and month, alerts at thresholds, and a hard stop checked at each hold. */
class UserAccountBudgetTest {

    /** 2026-03-01, late in the UTC day: the next day starts ten minutes after it. */
    static final Instant LATE = Instant.parse("2026-03-01T23:50:00Z");
    static final Instant NEXT_DAY = Instant.parse("2026-03-02T00:10:00Z");
    static final Instant NEXT_MONTH = Instant.parse("2026-04-01T00:10:00Z");

    private FixtureConfiguration<UserAccount> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(UserAccount.class);
    }

    static Budget daily(String limit, boolean hardStop) {
        return new Budget(usd(limit), null, List.of(50, 80, 100), hardStop);
    }

    static BudgetSet budgetSet(Budget budget) {
        return new BudgetSet(ALICE, budget, "alice", T0);
    }

    static CreditsReserved reservedAt(String holdId, String amount, String heldAfter, Instant at) {
        return new CreditsReserved(ALICE, holdId, usd(amount), Money.parseUsd(heldAfter), "req-" + holdId,
                at.plusSeconds(600), at);
    }

    static ReservationSettled settledAt(String holdId, String hold, String cost, String balanceAfter,
                                        String heldAfter, Instant at) {
        Money collected = usd(cost);
        return new ReservationSettled(ALICE, holdId, charge(holdId, cost), collected, usd(hold).minus(collected),
                Money.parseUsd(balanceAfter), Money.parseUsd(heldAfter), at);
    }

    static ReserveCredits reserveAt(String holdId, String amount, Instant at) {
        return new ReserveCredits(ALICE, holdId, usd(amount), "req-" + holdId, at.plusSeconds(600), at);
    }

    @Nested
    class Setting {

        @Test
        void aBudgetIsRecordedWithItsThresholdsInOrderAndAnswersTheNewState() {
            // given an open account
            fixture.given(opened(), deposited("10"))
                    // when its owner sets a daily limit with thresholds in any order
                    .when(new SetBudget(ALICE, new Budget(usd("5"), usd("100"), List.of(100, 50, 75), true), "alice",
                            T0))
                    // then the budget is an event, thresholds sorted, and the answer is the state it leaves
                    .expectEvents(new BudgetSet(ALICE, new Budget(usd("5"), usd("100"), List.of(50, 75, 100), true),
                            "alice", T0))
                    .expectResultMessagePayload(new BudgetStatus(
                            new Budget(usd("5"), usd("100"), List.of(50, 75, 100), true), Money.ZERO, Money.ZERO,
                            Money.ZERO, List.of(), List.of()));
        }

        @Test
        void aChangeKeepsThePartsItDoesNotNameSoTwoChangesOfDifferentPartsBothLand() {
            // given a daily limit without a stop, set by the owner
            fixture.given(opened(), budgetSet(new Budget(usd("5"), null, List.of(50, 80, 100), false)))
                    // when an admin's change names only the hard stop (decided on the budget the account has now)
                    .when(new ChangeBudget(ALICE, false, null, false, null, null, true, "admin:root", T0))
                    // then the limit and thresholds stay as they were
                    .expectEvents(new BudgetSet(ALICE, new Budget(usd("5"), null, List.of(50, 80, 100), true),
                            "admin:root", T0));
        }

        @Test
        void aChangeNamingALimitAsNullRemovesIt() {
            fixture.given(opened(), budgetSet(new Budget(usd("5"), usd("50"), List.of(100), true)))
                    .when(new ChangeBudget(ALICE, true, null, false, null, List.of(), null, "alice", T0))
                    .expectEvents(new BudgetSet(ALICE, new Budget(null, usd("50"), List.of(), true), "alice", T0));
        }

        @Test
        void settingTheBudgetTheAccountAlreadyHasAppliesNothing() {
            fixture.given(opened(), budgetSet(daily("5", true)))
                    .when(new SetBudget(ALICE, daily("5", true), "alice", T0.plusSeconds(5)))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void aLimitOfZeroIsALimit() {
            fixture.given(opened(), deposited("10"))
                    .when(new SetBudget(ALICE, new Budget(Money.ZERO, null, List.of(100), true), "alice", T0))
                    .expectEvents(budgetSet(new Budget(Money.ZERO, null, List.of(100), true)));
        }

        @ParameterizedTest
        @ValueSource(ints = {0, -5, 101, 1000})
        void aThresholdOutsideOneToAHundredPercentIsRejected(int percent) {
            fixture.given(opened())
                    .when(new SetBudget(ALICE, new Budget(usd("5"), null, List.of(50, percent), false), "alice", T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void repeatedThresholdsAreRejected() {
            fixture.given(opened())
                    .when(new SetBudget(ALICE, new Budget(usd("5"), null, List.of(50, 50), false), "alice", T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void moreThanTenThresholdsAreRejected() {
            fixture.given(opened())
                    .when(new SetBudget(ALICE, new Budget(usd("5"), null,
                            List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), false), "alice", T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }

        @Test
        void aNegativeLimitIsRejected() {
            fixture.given(opened())
                    .when(new SetBudget(ALICE, new Budget(null, Money.ofNanos(-1), List.of(), false), "alice", T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class HardStop {

        @Test
        void aHoldThatCouldTakeTheDaysSpendPastTheLimitIsRefused() {
            // given a daily limit of 1 with a hard stop, and 0.7 already spent today
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", true)),
                            reservedAt("h1", "0.8", "0.8", LATE), settledAt("h1", "0.8", "0.7", "9.3", "0", LATE))
                    // when a call wants to hold 0.4 more the same day
                    .when(reserveAt("h2", "0.4", LATE.plusSeconds(60)))
                    // then it is refused before anything is held
                    .expectException(BudgetExceededException.class)
                    .expectExceptionMessage(org.hamcrest.Matchers.containsString("daily budget of 1 USD"))
                    .expectNoEvents();
        }

        @Test
        void aHoldThatFitsExactlyIsPlaced() {
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", true)),
                            reservedAt("h1", "0.8", "0.8", LATE), settledAt("h1", "0.8", "0.7", "9.3", "0", LATE))
                    .when(reserveAt("h2", "0.3", LATE.plusSeconds(60)))
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(org.axonframework.test.matchers.Matchers.exactSequenceOf(
                            org.axonframework.test.matchers.Matchers.messageWithPayload(
                                    org.hamcrest.Matchers.instanceOf(CreditsReserved.class)),
                            org.axonframework.test.matchers.Matchers.andNoMore()));
        }

        @Test
        void openHoldsCountAsSpentSoConcurrentCallsCannotPassTheLimitTogether() {
            // given a limit of 1, nothing spent, but a call in progress holding 0.6
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", true)),
                            reservedAt("h1", "0.6", "0.6", LATE))
                    // when a second call wants 0.5
                    .when(reserveAt("h2", "0.5", LATE.plusSeconds(1)))
                    // then it is refused: both could settle at their full holds
                    .expectException(BudgetExceededException.class)
                    .expectNoEvents();
        }

        @Test
        void yesterdaysSpendDoesNotCountToday() {
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", true)),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "1", "9", "0", LATE))
                    .when(reserveAt("h2", "0.9", NEXT_DAY))
                    .expectSuccessfulHandlerExecution()
                    .expectState(account -> assertThat(account.budgetStatus(NEXT_DAY).spentToday())
                            .isEqualTo(Money.ZERO));
        }

        @Test
        void theMonthlyLimitCountsEveryDayOfTheMonth() {
            Budget monthly = new Budget(null, usd("1.5"), List.of(), true);
            fixture.given(opened(), deposited("10"), budgetSet(monthly),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "1", "9", "0", LATE))
                    .when(reserveAt("h2", "0.6", NEXT_DAY))
                    .expectException(BudgetExceededException.class)
                    .expectExceptionMessage(org.hamcrest.Matchers.containsString("monthly budget"));
        }

        @Test
        void aNewMonthStartsFromNothing() {
            Budget monthly = new Budget(null, usd("1.5"), List.of(), true);
            fixture.given(opened(), deposited("10"), budgetSet(monthly),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "1", "9", "0", LATE))
                    .when(reserveAt("h2", "1.5", NEXT_MONTH))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void withoutAHardStopTheLimitOnlyAlerts() {
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", false)),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "1", "9", "0", LATE))
                    .when(reserveAt("h2", "5", LATE.plusSeconds(1)))
                    .expectSuccessfulHandlerExecution();
        }
    }

    @Nested
    class Alerts {

        @Test
        void aChargeThatReachesThresholdsRaisesOneAlertForEachAfterTheCharge() {
            // given a daily limit of 1 with alerts at 50, 80 and 100 %, and 0.4 spent
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", false)),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "0.4", "9.6", "0", LATE),
                            reservedAt("h2", "1", "1", LATE))
                    // when a charge of 0.45 takes the day to 0.85
                    .when(new SettleReservation(ALICE, "h2", charge("h2", "0.45"), LATE.plusSeconds(5)))
                    // then the charge, then one alert for 50 % and one for 80 %, not for 100 %
                    .expectEvents(settledAt("h2", "1", "0.45", "9.15", "0", LATE.plusSeconds(5)),
                            new BudgetThresholdCrossed(ALICE, "daily", "2026-03-01", 50, usd("1"), usd("0.85"), "h2",
                                    LATE.plusSeconds(5)),
                            new BudgetThresholdCrossed(ALICE, "daily", "2026-03-01", 80, usd("1"), usd("0.85"), "h2",
                                    LATE.plusSeconds(5)));
        }

        @Test
        void aThresholdAlreadyPassedInThePeriodIsNotRaisedAgain() {
            fixture.given(opened(), deposited("10"), budgetSet(daily("1", false)),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "0.6", "9.4", "0", LATE),
                            reservedAt("h2", "1", "1", LATE))
                    .when(new SettleReservation(ALICE, "h2", charge("h2", "0.1"), LATE.plusSeconds(5)))
                    .expectEvents(settledAt("h2", "1", "0.1", "9.3", "0", LATE.plusSeconds(5)));
        }

        @Test
        void theNextPeriodRaisesItsThresholdsAfresh() {
            Budget both = new Budget(usd("1"), usd("100"), List.of(50), false);
            fixture.given(opened(), deposited("10"), budgetSet(both),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "0.6", "9.4", "0", LATE),
                            reservedAt("h2", "1", "1", LATE))
                    .when(new SettleReservation(ALICE, "h2", charge("h2", "0.5"), NEXT_DAY))
                    .expectEvents(settledAt("h2", "1", "0.5", "8.9", "0", NEXT_DAY),
                            new BudgetThresholdCrossed(ALICE, "daily", "2026-03-02", 50, usd("1"), usd("0.5"), "h2",
                                    NEXT_DAY));
        }

        @Test
        void aMonthlyThresholdNamesItsMonth() {
            Budget monthly = new Budget(null, usd("1"), List.of(100), false);
            fixture.given(opened(), deposited("10"), budgetSet(monthly), reservedAt("h1", "2", "2", LATE))
                    .when(new SettleReservation(ALICE, "h1", charge("h1", "1.2"), LATE))
                    .expectEvents(settledAt("h1", "2", "1.2", "8.8", "0", LATE),
                            new BudgetThresholdCrossed(ALICE, "monthly", "2026-03", 100, usd("1"), usd("1.2"), "h1",
                                    LATE));
        }
    }

    @Nested
    class Reading {

        @Test
        void readingTheBudgetAnswersTodaysAndThisMonthsSpendAndAppliesNothing() {
            Budget both = new Budget(usd("1"), usd("2"), List.of(50, 80, 100), true);
            fixture.given(opened(), deposited("10"), budgetSet(both),
                            reservedAt("h1", "1", "1", LATE), settledAt("h1", "1", "0.9", "9.1", "0", LATE),
                            reservedAt("h2", "1", "1", NEXT_DAY), settledAt("h2", "1", "0.3", "8.8", "0", NEXT_DAY),
                            reservedAt("h3", "0.2", "0.2", NEXT_DAY))
                    .when(new ReadBudget(ALICE, NEXT_DAY.plusSeconds(30)))
                    .expectNoEvents()
                    .expectResultMessagePayload(new BudgetStatus(both, usd("0.3"), usd("1.2"), usd("0.2"),
                            List.of(), List.of(50)));
        }

        @Test
        void anAccountWithoutABudgetAnswersNoLimitsAndTheUsualThresholds() {
            fixture.given(opened())
                    .when(new ReadBudget(ALICE, T0))
                    .expectResultMessagePayload(new BudgetStatus(Budget.NONE, Money.ZERO, Money.ZERO, Money.ZERO,
                            List.of(), List.of()));
        }

        @Test
        void aChargeDatedBeforeTheLatestCountedDayIsNotCountedInIt() {
            // given a charge counted on the next day, then one stamped late on the day before (a slower clock)
            fixture.given(opened(), deposited("10"), reservedAt("h1", "1", "1", LATE), reservedAt("h2", "1", "2", LATE),
                            settledAt("h1", "1", "0.5", "9.5", "1", NEXT_DAY),
                            settledAt("h2", "1", "0.25", "9.25", "0", LATE))
                    .when(new ReadBudget(ALICE, NEXT_DAY))
                    // then the next day shows only its own charge; the month shows both
                    .expectResultMessagePayload(new BudgetStatus(Budget.NONE, usd("0.5"), usd("0.75"), Money.ZERO,
                            List.of(), List.of()));
        }
    }

    @Test
    void aThresholdAmountIsRoundedUpToTheNextNanoDollarAndNeverOverflows() {
        assertThat(UserAccount.thresholdAmount(1, 50)).isEqualTo(1);
        assertThat(UserAccount.thresholdAmount(3, 50)).isEqualTo(2);
        assertThat(UserAccount.thresholdAmount(1_000_000_000L, 80)).isEqualTo(800_000_000L);
        assertThat(UserAccount.thresholdAmount(Long.MAX_VALUE, 100)).isEqualTo(Long.MAX_VALUE);
        assertThat(UserAccount.thresholdAmount(Long.MAX_VALUE, 50)).isEqualTo(Long.MAX_VALUE / 2 + 1);
    }
}
