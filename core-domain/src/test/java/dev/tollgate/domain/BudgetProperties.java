package dev.tollgate.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.api.budget.BudgetStatus;
import dev.tollgate.api.budget.BudgetThresholdCrossed;
import dev.tollgate.api.budget.ReadBudget;
import dev.tollgate.api.budget.SetBudget;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.domain.account.UserAccount;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.axonframework.config.Configuration;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.test.deadline.StubDeadlineManager;

/**
 * Budgets with a hard stop over random histories of calls placed, settled at or below their hold, and released,
 * spread over UTC days and months (ADR 27), through a real in-memory Axon setup. After every history: no UTC day or
 * month was charged past its limit, the account's answer for the last day and month equals the sum of their
 * settlements, and each threshold was raised at most once per period.
 */
class BudgetProperties {
    private static final AccountId ALICE = AccountId.of("alice");
    private static final Instant START = Instant.parse("2026-01-31T18:00:00Z");
    private static final Money DAILY = Money.parseUsd("1");
    private static final Money MONTHLY = Money.parseUsd("3");

    /** Place a hold; settle the {@code pick}-th open hold at {@code percent} of it; release one; let time pass. */
    record Step(int kind, long amount, int pick, int percent, int minutes) {
    }

    @Provide
    Arbitrary<List<Step>> histories() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.longs().between(1, 600_000_000L), Arbitraries.integers().between(0, 50),
                Arbitraries.integers().between(60, 100), Arbitraries.integers().between(0, 90)).as(Step::new);
        return step.list().ofMinSize(10).ofMaxSize(120);
    }

    @Property(tries = 100)
    void aHardStopIsNeverPassedAndTheCountersAreTheSettlements(@ForAll("histories") List<Step> history) {
        Configuration axon = DefaultConfigurer.defaultConfiguration()
                .configureEmbeddedEventStore(c -> new InMemoryEventStorageEngine())
                .configureAggregate(UserAccount.class)
                .configureDeadlineManager(c -> new StubDeadlineManager())
                .buildConfiguration();
        axon.start();
        try {
            var commands = axon.commandGateway();
            Instant now = START;
            commands.sendAndWait(new OpenAccount(ALICE, now));
            commands.sendAndWait(new DepositCredits(ALICE, "dep", Money.ofUsd(1_000), "t", "t", Intent.NONE, now));
            commands.sendAndWait(new SetBudget(ALICE, new Budget(DAILY, MONTHLY, List.of(50, 100), true), "t", now));
            Map<String, Long> open = new LinkedHashMap<>();
            int holds = 0;
            for (Step step : history) {
                now = now.plusSeconds(60L * step.minutes());
                if (step.kind() <= 1) {
                    String holdId = "h" + holds++;
                    try {
                        commands.sendAndWait(new ReserveCredits(ALICE, holdId, Money.ofNanos(step.amount()), "r-" + holdId,
                                now.plusSeconds(86_400), now));
                        open.put(holdId, step.amount());
                    } catch (BudgetExceededException refused) {
                        // the budget said no: nothing is held
                    }
                } else if (!open.isEmpty()) {
                    String holdId = new ArrayList<>(open.keySet()).get(step.pick() % open.size());
                    long hold = open.remove(holdId);
                    if (step.kind() == 2) {
                        long cost = hold * step.percent() / 100;
                        commands.sendAndWait(new SettleReservation(ALICE, holdId, new Charge("m", 1, 1,
                                TokenSource.PROVIDER, Money.ZERO, Money.ZERO, Money.ofNanos(cost), "r-" + holdId), now));
                    } else {
                        commands.sendAndWait(new ReleaseReservation(ALICE, holdId, "done", now));
                    }
                }
            }

            Map<LocalDate, Long> byDay = new HashMap<>();
            Map<String, Long> byMonth = new HashMap<>();
            Map<String, Integer> alerts = new HashMap<>();
            List<? extends DomainEventMessage<?>> events = axon.eventStore().readEvents(ALICE.value()).asStream().toList();
            for (DomainEventMessage<?> event : events) {
                if (event.getPayload() instanceof ReservationSettled settled) {
                    LocalDate day = LocalDate.ofInstant(settled.at(), ZoneOffset.UTC);
                    byDay.merge(day, settled.collected().nanos(), Long::sum);
                    byMonth.merge(day.toString().substring(0, 7), settled.collected().nanos(), Long::sum);
                } else if (event.getPayload() instanceof BudgetThresholdCrossed crossed) {
                    alerts.merge(crossed.period() + crossed.periodStart() + "@" + crossed.thresholdPercent(), 1,
                            Integer::sum);
                }
            }
            assertThat(byDay.values()).allSatisfy(spent -> assertThat(spent).isLessThanOrEqualTo(DAILY.nanos()));
            assertThat(byMonth.values()).allSatisfy(spent -> assertThat(spent).isLessThanOrEqualTo(MONTHLY.nanos()));
            assertThat(alerts.values()).allSatisfy(count -> assertThat(count).isEqualTo(1));
            BudgetStatus status = commands.sendAndWait(new ReadBudget(ALICE, now));
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            assertThat(status.spentToday().nanos()).isEqualTo(byDay.getOrDefault(today, 0L));
            assertThat(status.spentThisMonth().nanos()).isEqualTo(byMonth.getOrDefault(today.toString().substring(0, 7), 0L));
        } finally {
            axon.shutdown();
        }
    }
}
