package dev.tollgate.domain.account;

import static dev.tollgate.domain.account.UserAccountTest.T0;
import static dev.tollgate.domain.account.UserAccountTest.T1;
import static dev.tollgate.domain.account.UserAccountTest.charge;
import static dev.tollgate.domain.account.UserAccountTest.usd;
import static org.hamcrest.Matchers.containsString;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReadSpending;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.Spender;
import dev.tollgate.api.account.Spending;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.api.money.Money;
import java.util.Map;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Team accounts and the spend cap of each API key (ADR 32). */
class UserAccountTeamTest {
    static final AccountId TEAM = AccountId.of("team:3f1c");
    static final String KEY_A = "key-a";
    static final String KEY_B = "key-b";

    private FixtureConfiguration<UserAccount> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(UserAccount.class);
    }

    static AccountOpened teamOpened() {
        return new AccountOpened(TEAM, AccountKind.TEAM, T0);
    }

    static CreditsDeposited funded(String amount) {
        return new CreditsDeposited(TEAM, "dep-0", usd(amount), usd(amount), "team funds", "owner", Intent.NONE, T0);
    }

    static final String BOB = "bob";
    static final String CAROL = "carol";

    /** A call of {@code key} held by member bob; only the key has a cap. */
    static ReserveCredits reserveWithKey(String holdId, String amount, String key, String cap) {
        return reserveAs(holdId, amount, new Spender(key, cap == null ? null : Money.parseUsd(cap), BOB, null));
    }

    static ReserveCredits reserveAs(String holdId, String amount, Spender spender) {
        return new ReserveCredits(TEAM, holdId, usd(amount), "req-" + holdId, T1.plusSeconds(300), T1, spender);
    }

    static CreditsReserved reservedWithKey(String holdId, String amount, String heldAfter, String key) {
        return reservedBy(holdId, amount, heldAfter, key, BOB);
    }

    static CreditsReserved reservedBy(String holdId, String amount, String heldAfter, String key, String member) {
        return new CreditsReserved(TEAM, holdId, usd(amount), Money.parseUsd(heldAfter), "req-" + holdId,
                T0.plusSeconds(300), T0, key, member);
    }

    static ReservationSettled settled(String holdId, String hold, String cost, String balanceAfter, String heldAfter) {
        Money collected = usd(cost);
        return new ReservationSettled(TEAM, holdId, charge(holdId, cost), collected, usd(hold).minus(collected),
                Money.parseUsd(balanceAfter), Money.parseUsd(heldAfter), T0);
    }

    @Nested
    class Opening {

        @Test
        void aTeamAccountOpensAsATeamsAccount() {
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount(TEAM, AccountKind.TEAM, T0))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new AccountOpened(TEAM, AccountKind.TEAM, T0));
        }

        @Test
        void anAccountOpenedWithoutAKindIsAUsers() {
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount(AccountId.of("carol"), T0))
                    .expectEvents(new AccountOpened(AccountId.of("carol"), AccountKind.USER, T0));
        }

        @Test
        void aSystemAccountCannotBeOpenedAsATeam() {
            fixture.givenNoPriorActivity()
                    .when(new OpenAccount(AccountId.REVENUE, AccountKind.TEAM, T0))
                    .expectException(InvalidCommandException.class)
                    .expectNoEvents();
        }
    }

    @Nested
    class SpendCap {

        @Test
        void aHoldNamesTheKeyThatPlacedIt() {
            fixture.given(teamOpened(), funded("10"))
                    .when(reserveWithKey("h1", "0.5", KEY_A, "1"))
                    .expectEvents(new CreditsReserved(TEAM, "h1", usd("0.5"), usd("0.5"), "req-h1",
                            T1.plusSeconds(300), T1, KEY_A, BOB));
        }

        @Test
        void aHoldThatWouldTakeTheKeyPastItsCapIsRefused() {
            // given key A spent 0.7 and holds 0.2 on a well-funded team
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "0.7", "0.7", KEY_A), settled("h1", "0.7", "0.7", "9.3", "0"),
                            reservedWithKey("h2", "0.2", "0.2", KEY_A))
                    // when it asks for 0.2 more under a cap of 1
                    .when(reserveWithKey("h3", "0.2", KEY_A, "1"))
                    // then 0.7 + 0.2 + 0.2 > 1: refused, nothing recorded
                    .expectException(BudgetExceededException.class)
                    .expectExceptionMessage(containsString("spend cap of 1 USD"))
                    .expectNoEvents();
        }

        @Test
        void aHoldThatReachesTheCapExactlyIsPlaced() {
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "0.7", "0.7", KEY_A), settled("h1", "0.7", "0.7", "9.3", "0"))
                    .when(reserveWithKey("h2", "0.3", KEY_A, "1"))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new CreditsReserved(TEAM, "h2", usd("0.3"), usd("0.3"), "req-h2",
                            T1.plusSeconds(300), T1, KEY_A, BOB));
        }

        @Test
        void anotherKeysSpendDoesNotCountAgainstACap() {
            // given key B spent 5 of the team's money
            fixture.given(teamOpened(), funded("10"),
                            reservedBy("h1", "5", "5", KEY_B, CAROL), settled("h1", "5", "5", "5", "0"))
                    // when key A, capped at 1, asks for 1
                    .when(reserveWithKey("h2", "1", KEY_A, "1"))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void whatAReleasedHoldKeptNoLongerCounts() {
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "0.9", "0.9", KEY_A),
                            new ReservationReleased(TEAM, "h1", usd("0.9"), Money.ZERO, "provider failed", false, T0))
                    .when(reserveWithKey("h2", "1", KEY_A, "1"))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aCapBelowWhatTheKeyAlreadySpentRefusesEveryHold() {
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "2", "2", KEY_A), settled("h1", "2", "2", "8", "0"))
                    .when(reserveWithKey("h2", "0.000000001", KEY_A, "1"))
                    .expectException(BudgetExceededException.class)
                    .expectNoEvents();
        }

        @Test
        void aKeyWithoutACapIsLimitedOnlyByTheBalance() {
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "9", "9", KEY_A), settled("h1", "9", "9", "1", "0"))
                    .when(reserveWithKey("h2", "1", KEY_A, null))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void theCapCountsWhatWasCollectedNotWhatWasHeld() {
            // given a hold of 0.9 that settled at 0.1
            fixture.given(teamOpened(), funded("10"),
                            reservedWithKey("h1", "0.9", "0.9", KEY_A), settled("h1", "0.9", "0.1", "9.9", "0"))
                    // when the key asks for 0.9 under a cap of 1
                    .when(reserveWithKey("h2", "0.9", KEY_A, "1"))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aSettleOfTheKeysHoldAddsToItsSpend() {
            // given key A's hold of 0.5 settled at 0.4, and a second hold of 0.25 still open
            fixture.given(teamOpened(), funded("10"), reservedWithKey("h1", "0.5", "0.5", KEY_A),
                            settled("h1", "0.5", "0.4", "9.6", "0"), reservedWithKey("h2", "0.25", "0.25", KEY_A))
                    // when the account is asked what each key and member spent and holds
                    .when(new ReadSpending(TEAM))
                    .expectResultMessagePayload(new Spending(TEAM,
                            Map.of(KEY_A, new Spending.Spent(usd("0.4"), usd("0.25"))),
                            Map.of(BOB, new Spending.Spent(usd("0.4"), usd("0.25")))));
        }

        @Test
        void holdsWithoutAKeyCountForNoKey() {
            fixture.given(teamOpened(), funded("10"),
                            new CreditsReserved(TEAM, "h1", usd("3"), usd("3"), "req-h1", T0.plusSeconds(300), T0),
                            settled("h1", "3", "3", "7", "0"))
                    .when(new ReadSpending(TEAM))
                    .expectResultMessagePayload(new Spending(TEAM, Map.of(), Map.of()));
        }
    }

    @Nested
    class MemberCap {

        @Test
        void aMembersCapCountsEveryKeyOfTheirs() {
            // given bob spent 0.6 with key A and holds 0.3 with key B
            fixture.given(teamOpened(), funded("10"),
                            reservedBy("h1", "0.6", "0.6", KEY_A, BOB), settled("h1", "0.6", "0.6", "9.4", "0"),
                            reservedBy("h2", "0.3", "0.3", KEY_B, BOB))
                    // when a new key of his, with no cap of its own, asks for 0.2 under his member cap of 1
                    .when(reserveAs("h3", "0.2", new Spender("key-new", null, BOB, Money.parseUsd("1"))))
                    // then 0.6 + 0.3 + 0.2 > 1: refused
                    .expectException(BudgetExceededException.class)
                    .expectExceptionMessage(containsString("your spend cap in this team of 1 USD"))
                    .expectNoEvents();
        }

        @Test
        void anotherMembersSpendDoesNotCountAgainstAMembersCap() {
            fixture.given(teamOpened(), funded("10"),
                            reservedBy("h1", "5", "5", KEY_B, CAROL), settled("h1", "5", "5", "5", "0"))
                    .when(reserveAs("h2", "1", new Spender(KEY_A, null, BOB, Money.parseUsd("1"))))
                    .expectSuccessfulHandlerExecution()
                    .expectEvents(new CreditsReserved(TEAM, "h2", usd("1"), usd("1"), "req-h2", T1.plusSeconds(300),
                            T1, KEY_A, BOB));
        }

        @Test
        void theTighterOfKeyAndMemberCapDecides() {
            fixture.given(teamOpened(), funded("10"))
                    .when(reserveAs("h1", "0.5", new Spender(KEY_A, Money.parseUsd("5"), BOB, Money.parseUsd("0.4"))))
                    .expectException(BudgetExceededException.class)
                    .expectNoEvents();
        }
    }

    @Test
    void aHoldRetriedWithItsKeyAnswersTheFirstPlacement() {
        // the cap is not checked again for a hold that already exists: the retry changes nothing
        fixture.given(teamOpened(), funded("10"), reservedWithKey("h1", "1", "1", KEY_A))
                .when(reserveWithKey("h1", "1", KEY_A, "1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }
}
