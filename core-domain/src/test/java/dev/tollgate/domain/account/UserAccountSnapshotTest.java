package dev.tollgate.domain.account;

import static dev.tollgate.domain.account.UserAccountTest.ALICE;
import static dev.tollgate.domain.account.UserAccountTest.BOB;
import static dev.tollgate.domain.account.UserAccountTest.KEY_1;
import static dev.tollgate.domain.account.UserAccountTest.KEY_1_OTHER_BODY;
import static dev.tollgate.domain.account.UserAccountTest.T0;
import static dev.tollgate.domain.account.UserAccountTest.T1;
import static dev.tollgate.domain.account.UserAccountTest.T2;
import static dev.tollgate.domain.account.UserAccountTest.T3;
import static dev.tollgate.domain.account.UserAccountTest.usd;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.Spending;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetSet;
import java.util.List;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.axonframework.test.aggregate.FixtureConfiguration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A snapshot is the aggregate written as JSON; when it loses a field the account silently forgets holds,
 * idempotency keys or in-flight transfers (DESIGN: "Jackson snapshots lose private aggregate fields unless field
 * visibility is enabled"). These tests write a busy account and read it back with a plain mapper.
 */
class UserAccountSnapshotTest {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private UserAccount account;

    @BeforeEach
    void anAccountWithEveryKindOfState() {
        // given an account sourced from events (the handlers are package-private: only assignments, no decisions)
        account = new UserAccount();
        account.on(UserAccountTest.opened());
        account.on(UserAccountTest.deposited("dep-1", "10", "10", KEY_1, T1));
        account.on(UserAccountTest.reserved("h1", "3", "3"));
        account.on(new CreditsReserved(ALICE, "h2", usd("0.000000001"), usd("3.000000001"), "req-h2",
                T2.plusSeconds(60), T2));
        account.on(UserAccountTest.sent("t-1", "2", "8", Intent.NONE));
        account.on(new TransferReceived(ALICE, "t-9", BOB, usd("1"), usd("9"), "gift", T3));
        account.on(new BudgetSet(ALICE, new Budget(usd("5"), null, List.of(50, 100), true), "alice", T3));
    }

    private static UserAccount roundTrip(UserAccount account) throws Exception {
        return JSON.readValue(JSON.writeValueAsString(account), UserAccount.class);
    }

    @Test
    void aSnapshotKeepsBalancesHoldsAndMemories() throws Exception {
        // when it is written as a snapshot and read back
        UserAccount restored = roundTrip(account);
        // then balances and state are equal
        assertThat(restored.state()).isEqualTo(account.state());
        assertThat(restored.state()).isEqualTo(new AccountState(ALICE, usd("9"), usd("3.000000001"), true));
        // and so is everything a state() does not show (holds, remembered keys, in-flight transfers): writing the
        // restored account again gives the same JSON, field by field
        JsonNode before = JSON.readTree(JSON.writeValueAsString(account));
        JsonNode after = JSON.readTree(JSON.writeValueAsString(restored));
        assertThat(after).isEqualTo(before);
        assertThat(before.get("holds").size()).isEqualTo(2);
        assertThat(before.get("remembered").size()).isEqualTo(2);
        assertThat(before.get("outgoing").size()).isEqualTo(1);
    }

    @Test
    void aSnapshotKeepsWhatEachKeyAndMemberSpentAndHolds() throws Exception {
        // given key k1 of member bob spent 0.25 and holds 0.5 more
        account.on(new CreditsReserved(ALICE, "h3", usd("1"), usd("4.000000001"), "req-h3", T3.plusSeconds(60), T3,
                "k1", "bob"));
        account.on(new ReservationSettled(ALICE, "h3", UserAccountTest.charge("h3", "0.25"), usd("0.25"),
                usd("0.75"), usd("8.75"), usd("3.000000001"), T3));
        account.on(new CreditsReserved(ALICE, "h4", usd("0.5"), usd("3.500000001"), "req-h4", T3.plusSeconds(60), T3,
                "k1", "bob"));
        // when the account is written as a snapshot and read back
        UserAccount restored = roundTrip(account);
        // then it answers the same spend per key and member, so their next hold is checked against the same numbers
        assertThat(restored.spending()).isEqualTo(account.spending());
        assertThat(restored.spending().ofKey("k1")).isEqualTo(new Spending.Spent(usd("0.25"), usd("0.5")));
        assertThat(restored.spending().ofMember("bob")).isEqualTo(new Spending.Spent(usd("0.25"), usd("0.5")));
    }

    @Test
    void aSnapshotKeepsTheBudgetAndWhatTheDayAndMonthHaveSpent() throws Exception {
        // given a charge settled today under a budget
        account.on(new CreditsReserved(ALICE, "h3", usd("1"), usd("4.000000001"), "req-h3", T3.plusSeconds(60), T3));
        account.on(new ReservationSettled(ALICE, "h3", UserAccountTest.charge("h3", "0.25"), usd("0.25"),
                usd("0.75"), usd("8.75"), usd("3.000000001"), T3));
        // when the account is written as a snapshot and read back
        UserAccount restored = roundTrip(account);
        // then it answers the same budget and spend, so the next hold is checked against the same numbers
        assertThat(restored.budgetStatus(T3)).isEqualTo(account.budgetStatus(T3));
        assertThat(restored.budgetStatus(T3).spentToday()).isEqualTo(usd("0.25"));
        assertThat(restored.budgetStatus(T3).spentThisMonth()).isEqualTo(usd("0.25"));
        assertThat(restored.budgetStatus(T3).budget())
                .isEqualTo(new Budget(usd("5"), null, List.of(50, 100), true));
    }

    @Test
    void aSnapshotCarriesNoDerivedOrTransientJunk() throws Exception {
        // Snapshots are read by later versions: only real fields belong in them.
        JsonNode json = JSON.readTree(JSON.writeValueAsString(account));
        assertThat(json.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("accountId", "id", "balance", "held", "open", "holds", "holdDeadlineAt", "remembered",
                        "outgoing", "budget", "spendDay", "spentOnDay", "spendMonth", "spentInMonth", "spentByKey", "spentByMember",
                        "lapsed");
    }

    @Test
    void aSnapshotKeepsTheHoldsThatLapsedSoTheirCallsAreStillCharged() throws Exception {
        // given hold h1's deadline released it while its call was still running
        account.on(new ReservationReleased(ALICE, "h1", usd("3"), usd("0.000000001"), "expired", true, T3));
        // when the account is written as a snapshot and read back
        UserAccount restored = roundTrip(account);
        // then the restored account still knows the lapsed hold, as it was
        JsonNode lapsed = JSON.readTree(JSON.writeValueAsString(restored)).get("lapsed");
        assertThat(lapsed.get("h1").get("hold").get("amount").asLong()).isEqualTo(3_000_000_000L);
        assertThat(JSON.writeValueAsString(restored)).isEqualTo(JSON.writeValueAsString(account));
    }

    @Test
    void aRestoredAccountStillAnswersRetriesWithTheFirstReceipt() throws Exception {
        // given the account restored from its snapshot
        UserAccount restored = roundTrip(account);
        FixtureConfiguration<UserAccount> fixture = new AggregateTestFixture<>(UserAccount.class);
        fixture.givenState(() -> restored)
                // when the first deposit is retried
                .when(new DepositCredits(ALICE, "dep-1", usd("10"), "top-up", "admin", KEY_1, T3))
                // then the remembered key answers it
                .expectNoEvents()
                .expectResultMessagePayload(new LedgerReceipt("dep-1", usd("10"), true));
    }

    @Test
    void aRestoredAccountStillRejectsAKeyReusedForAnotherBody() throws Exception {
        UserAccount restored = roundTrip(account);
        new AggregateTestFixture<>(UserAccount.class)
                .givenState(() -> restored)
                .when(new DepositCredits(ALICE, "dep-2", usd("1"), "top-up", "admin", KEY_1_OTHER_BODY, T3))
                .expectException(IdempotencyConflictException.class);
    }

    @Test
    void aRestoredAccountStillKnowsItsHoldsAndTransfers() {
        // Each fixture gets its own copy restored from the snapshot: a command changes the instance it runs on.
        new AggregateTestFixture<>(UserAccount.class)
                .givenState(this::restoredFromSnapshot)
                .when(new ReserveCredits(ALICE, "h1", usd("3"), "req-h1", T3, T3))
                .expectNoEvents()
                .expectResultMessagePayload(new LedgerReceipt("h1", usd("9"), true));
        new AggregateTestFixture<>(UserAccount.class)
                .givenState(this::restoredFromSnapshot)
                .when(new ReceiveTransfer(ALICE, "t-9", BOB, usd("1"), "gift", T3))
                .expectNoEvents()
                .expectResultMessagePayload(new LedgerReceipt("t-9", usd("9"), true));
        new AggregateTestFixture<>(UserAccount.class)
                .givenState(this::restoredFromSnapshot)
                .when(new RefundTransfer(ALICE, "t-1", "declined", T3))
                .expectEvents(new TransferRefunded(ALICE, "t-1", BOB, usd("2"), usd("11"), "declined", T3));
        new AggregateTestFixture<>(UserAccount.class)
                .givenState(this::restoredFromSnapshot)
                .when(new SettleReservation(ALICE, "h2", UserAccountTest.charge("h2", "0.000000001"), T3))
                .expectSuccessfulHandlerExecution()
                .expectState(a -> assertThat(a.state())
                        .isEqualTo(new AccountState(ALICE, Money.ofNanos(8_999_999_999L), usd("3"), true)));
    }

    private UserAccount restoredFromSnapshot() {
        try {
            return roundTrip(account);
        } catch (Exception e) {
            throw new AssertionError("the snapshot could not be read back", e);
        }
    }
}
