package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferSent;
import dev.tollgate.query.balance.BalanceProjection;
import dev.tollgate.query.history.HistoryProjection;
import dev.tollgate.query.usage.UsageProjection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.eventhandling.AnnotationEventHandlerAdapter;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * The read models write a batch of events at once (ADR 15). Whatever the batch boundaries, the rows must be those
 * that the same events leave when written one at a time: a hold placed and settled in one batch, or across two.
 */
class BatchedProjectionsTest {
    /** The read models' tables, as the web module's migrations (V1, V2, V5, V7, V11, V12) leave them. */
    private static final String[] TABLES = {
        "CREATE TABLE account_balance (account_id VARCHAR(64) NOT NULL PRIMARY KEY, balance_nanos BIGINT NOT NULL, "
                + "held_nanos BIGINT NOT NULL, open BOOLEAN NOT NULL, updated_at TIMESTAMP WITH TIME ZONE NOT NULL)",
        "CREATE TABLE ledger_entry (id VARCHAR(64) NOT NULL, account_id VARCHAR(64) NOT NULL, "
                + "seq BIGINT NOT NULL, type VARCHAR(32) NOT NULL, amount_nanos BIGINT NOT NULL, "
                + "balance_after_nanos BIGINT NOT NULL, at TIMESTAMP WITH TIME ZONE NOT NULL, counterparty VARCHAR(100), "
                + "model VARCHAR(200), request_id VARCHAR(200), description VARCHAR(600))",
        "CREATE UNIQUE INDEX ix_ledger_entry_account_seq ON ledger_entry (account_id, seq)",
        "CREATE TABLE history_position (account_id VARCHAR(64) NOT NULL PRIMARY KEY, seq BIGINT NOT NULL)",
        "CREATE TABLE usage_call (hold_id VARCHAR(120) NOT NULL PRIMARY KEY, account_id VARCHAR(64) NOT NULL, "
                + "request_id VARCHAR(200), reserved_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                + "ended_at TIMESTAMP WITH TIME ZONE, call_day DATE, model VARCHAR(200), "
                + "input_tokens BIGINT NOT NULL DEFAULT 0, output_tokens BIGINT NOT NULL DEFAULT 0, "
                + "token_source VARCHAR(16), cost_nanos BIGINT NOT NULL DEFAULT 0, latency_ms BIGINT, "
                + "status VARCHAR(16) NOT NULL, api_key_id VARCHAR(64))"};

    private final List<EventMessage<?>> ledger = ledger();

    @ParameterizedTest
    @ValueSource(ints = {2, 7, 1_000})
    void aBatchLeavesTheSameRowsAsItsEventsWrittenOneAtATime(int batchSize) throws Exception {
        JdbcTemplate oneAtATime = database();
        JdbcTemplate batched = database();

        applyOneAtATime(oneAtATime, ledger);
        applyInBatches(batched, ledger, batchSize);

        assertThat(rows(batched)).isEqualTo(rows(oneAtATime));
    }

    @Test
    void theRowsExplainTheLedger() throws Exception {
        JdbcTemplate db = database();

        applyInBatches(db, ledger, 7);

        // ada: 3 rounds of +10 deposit, -0.25 charge, -2 transfer, -0.5 deduction; bob receives the transfers
        assertThat(db.queryForObject("SELECT balance_nanos FROM account_balance WHERE account_id = 'ada'", Long.class))
                .isEqualTo(3 * (10_000_000_000L - 250_000_000L - 2_000_000_000L - 500_000_000L));
        assertThat(db.queryForObject("SELECT held_nanos FROM account_balance WHERE account_id = 'bob'", Long.class))
                .isEqualTo(3 * 100_000_000L);
        assertThat(db.queryForObject("SELECT COUNT(*) FROM ledger_entry WHERE account_id = 'ada'", Long.class))
                .isEqualTo(12);
        assertThat(db.queryForList("SELECT status FROM usage_call ORDER BY hold_id", String.class))
                .containsExactly("ok", "failed", "pending", "ok", "failed", "pending", "ok", "failed", "pending");
        assertThat(db.queryForList("SELECT latency_ms FROM usage_call WHERE status = 'ok'", Long.class))
                .containsOnly(1_500L);
        assertThat(db.queryForObject("SELECT seq FROM history_position WHERE account_id = 'ada'", Long.class))
                .isEqualTo(21L);
    }

    @Test
    void batchesDeliveredAgainRecordNothingTwice() throws Exception {
        JdbcTemplate once = database();
        JdbcTemplate twice = database();
        applyInBatches(once, ledger, 5);

        applyInBatches(twice, ledger, 5);
        applyInBatches(twice, ledger, 5);

        assertThat(rows(twice)).isEqualTo(rows(once));
    }

    // ---- the ledger: two accounts, deposits, charges, releases, transfers, a deduction, holds left open ----

    private static List<EventMessage<?>> ledger() {
        Map<String, Long> seq = new HashMap<>();
        List<EventMessage<?>> events = new ArrayList<>();
        AccountId ada = AccountId.of("ada");
        AccountId bob = AccountId.of("bob");
        Instant t = Instant.parse("2026-11-23T10:00:00.123456Z");
        add(events, seq, "ada", new AccountOpened(ada, AccountKind.USER, t));
        add(events, seq, "bob", new AccountOpened(bob, AccountKind.USER, t));
        long ada$ = 0;
        long bob$ = 0;
        for (int round = 0; round < 3; round++) {
            Instant at = t.plus(Duration.ofMinutes(round + 1));
            ada$ += 10_000_000_000L;
            add(events, seq, "ada", new CreditsDeposited(ada, "d" + round, Money.ofUsd(10), new Money(ada$), "top-up",
                    "admin", Intent.NONE, at));
            String ok = "h" + round + "a";
            String failed = "h" + round + "b";
            String open = "h" + round + "c";
            add(events, seq, "ada", new CreditsReserved(ada, ok, Money.ofNanos(400_000_000), Money.ofNanos(400_000_000),
                    "req-" + ok, at.plusSeconds(600), at));
            add(events, seq, "bob", new CreditsReserved(bob, open, Money.ofNanos(100_000_000),
                    Money.ofNanos(100_000_000L * (round + 1)), "req-" + open, at.plusSeconds(600), at));
            add(events, seq, "ada", new CreditsReserved(ada, failed, Money.ofNanos(100_000_000),
                    Money.ofNanos(500_000_000), "req-" + failed, at.plusSeconds(600), at));
            ada$ -= 250_000_000L;
            Charge charge = new Charge("@cf/meta/llama-3.1-8b-instruct", 100, 20, TokenSource.PROVIDER,
                    Money.ofNanos(282_000_000), Money.ofNanos(827_000_000), Money.ofNanos(250_000_000), "req-" + ok);
            add(events, seq, "ada", new ReservationSettled(ada, ok, charge, Money.ofNanos(250_000_000),
                    Money.ofNanos(150_000_000), new Money(ada$), Money.ofNanos(100_000_000), at.plusMillis(1_500)));
            add(events, seq, "ada", new ReservationReleased(ada, failed, Money.ofNanos(100_000_000), Money.ZERO,
                    "upstream_failed", false, at.plusMillis(2_000)));
            ada$ -= 2_000_000_000L;
            bob$ += 2_000_000_000L;
            String transfer = "t" + round;
            add(events, seq, "ada", new TransferSent(ada, transfer, bob, Money.ofUsd(2), new Money(ada$), "lunch",
                    Intent.NONE, at.plusSeconds(3)));
            add(events, seq, "bob", new TransferReceived(bob, transfer, ada, Money.ofUsd(2), new Money(bob$), "lunch",
                    at.plusSeconds(4)));
            ada$ -= 500_000_000L;
            add(events, seq, "ada", new CreditsDeducted(ada, "x" + round, Money.ofNanos(500_000_000), new Money(ada$),
                    "fee", "admin", Intent.NONE, at.plusSeconds(5)));
        }
        return events;
    }

    private static void add(List<EventMessage<?>> events, Map<String, Long> seq, String account, Object payload) {
        long next = seq.merge(account, 1L, Long::sum) - 1;
        events.add(new GenericDomainEventMessage<>("UserAccount", account, next, payload, Map.of()));
    }

    // ---- running the projections as Axon does ----

    private static List<AnnotationEventHandlerAdapter> projections(JdbcTemplate jdbc) {
        return List.of(new AnnotationEventHandlerAdapter(new BalanceProjection(jdbc)),
                new AnnotationEventHandlerAdapter(new HistoryProjection(jdbc)),
                new AnnotationEventHandlerAdapter(new UsageProjection(jdbc)));
    }

    private static void applyOneAtATime(JdbcTemplate jdbc, List<EventMessage<?>> events) throws Exception {
        List<AnnotationEventHandlerAdapter> projections = projections(jdbc);
        for (EventMessage<?> event : events) {
            for (AnnotationEventHandlerAdapter projection : projections) {
                if (projection.canHandle(event)) {
                    projection.handle(event);
                }
            }
        }
    }

    /** Like a tracking processor: one unit of work per projection and batch, written before it commits. */
    private static void applyInBatches(JdbcTemplate jdbc, List<EventMessage<?>> events, int size) {
        for (AnnotationEventHandlerAdapter projection : projections(jdbc)) {
            for (int from = 0; from < events.size(); from += size) {
                BatchingUnitOfWork<EventMessage<?>> batch =
                        new BatchingUnitOfWork<>(events.subList(from, Math.min(events.size(), from + size)));
                ResultMessage<?> result = batch.executeWithResult(() -> {
                    EventMessage<?> event = batch.getMessage();
                    return projection.canHandle(event) ? projection.handle(event) : null;
                });
                assertThat(result.isExceptional()).as(String.valueOf(result.optionalExceptionResult())).isFalse();
            }
        }
    }

    private static JdbcTemplate database() {
        JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.h2.Driver(),
                "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));
        for (String table : TABLES) {
            jdbc.execute(table);
        }
        return jdbc;
    }

    private static Map<String, List<Map<String, Object>>> rows(JdbcTemplate jdbc) {
        Map<String, List<Map<String, Object>>> rows = new LinkedHashMap<>();
        rows.put("account_balance", jdbc.queryForList("SELECT * FROM account_balance ORDER BY account_id"));
        rows.put("ledger_entry", jdbc.queryForList("SELECT * FROM ledger_entry ORDER BY account_id, seq"));
        rows.put("history_position", jdbc.queryForList("SELECT * FROM history_position ORDER BY account_id"));
        rows.put("usage_call", jdbc.queryForList("SELECT * FROM usage_call ORDER BY hold_id"));
        return rows;
    }
}
