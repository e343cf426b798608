package dev.tollgate.bench;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import dev.tollgate.web.ops.Projections;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * bench/replay: writes a mixed ledger (deposits, transfers, holds settled or released) of about 100,000 events
 * into PostgreSQL through the command gateway, then rebuilds every read model from those events (reset and
 * replay, as an operator does) and prints events/s per read model. Each rebuilt read model is compared with the
 * live one before it, so a fast replay that records something else does not count.
 *
 * <p>Runs in schema {@code replay} of database {@code tollgate_bench} (made by .ci/run), dropped and made again
 * at the start; {@code -Dbench.reuse=true} replays the events of an earlier run instead, and
 * {@code -Dbench.rounds=3} rebuilds them three times. The three read models share one processor (ADR 51), so a
 * replay asked for one rebuilds all three: there is one figure, all of them at once.
 */
public final class ReplayBench {
    private static final int EVENTS = Integer.getInteger("bench.events", 100_000);
    private static final int ACCOUNTS = Integer.getInteger("bench.accounts", 1_000);
    private static final int THREADS = Integer.getInteger("bench.threads", 16);
    private static final boolean REUSE = Boolean.getBoolean("bench.reuse");
    private static final String DATABASE = System.getProperty("bench.database", "tollgate_bench");
    private static final String SCHEMA = "replay";
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 1);
    private static final List<String> READ_MODELS = List.of("balances", "history", "usage");

    public record Row(String readModel, long events, double seconds, double jvmCpuMs, double postgresCpuMs, boolean same) {
    }

    public record Result(long written, double writeSeconds, List<Row> rows) {
    }

    public static void main(String[] args) throws Exception {
        print(measure());
        System.exit(0);
    }

    public static Result measure() throws Exception {
        String server = System.getenv().getOrDefault("TOLLGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
        String user = System.getenv().getOrDefault("TOLLGATE_TEST_PG_USER", "postgres");
        String password = System.getenv().getOrDefault("TOLLGATE_TEST_PG_PASSWORD", "");
        if (!REUSE) {
            try (Connection c = DriverManager.getConnection(server + DATABASE, user, password);
                 Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
                s.execute("CREATE SCHEMA " + SCHEMA);
            }
        }
        Map<String, String> properties = new LinkedHashMap<>(Storage.postgres(DATABASE, Storage.tempDir()));
        properties.put("spring.datasource.url", server + DATABASE + "?currentSchema=" + SCHEMA);
        properties.put("spring.flyway.schemas", SCHEMA);
        properties.put("logging.level.root", "WARN");
        List<Row> rows = new ArrayList<>();
        long written;
        double writeSeconds = 0;
        try (RunningTollgate app = RunningTollgate.start(properties)) {
            JdbcTemplate jdbc = app.bean(JdbcTemplate.class);
            Projections projections = app.bean(Projections.class);
            long already = events(jdbc);
            // A fresh ledger already holds the first admin's account; a reused one holds the last run's events.
            if (!REUSE || already < EVENTS / 2) {
                long start = System.nanoTime();
                write(app.bean(CommandGateway.class), EVENTS - already);
                awaitCaughtUp(projections, List.of("transfer-process", "balances", "history", "usage"));
                writeSeconds = (System.nanoTime() - start) / 1e9;
            }
            written = events(jdbc);
            // The first rebuild in a JVM also compiles the replay path (measured: a third of the warm speed);
            // one unmeasured rebuild of every read model first, so the rows compare like with like.
            replay(jdbc, projections, READ_MODELS, written);
            // On a shared 2-core machine one rebuild can differ from the next by a third, so -Dbench.rounds=N repeats it.
            for (int round = 0; round < ROUNDS; round++) {
                rows.add(replay(jdbc, projections, READ_MODELS, written));
            }
        }
        return new Result(written, writeSeconds, rows);
    }

    static void print(Result result) {
        long written = result.written();
        double writeSeconds = result.writeSeconds();
        List<Row> rows = result.rows();
        System.out.println();
        if (writeSeconds > 0) {
            System.out.printf("wrote %d events in %.1f s (%.0f events/s, %d threads, %d accounts)%n", written,
                    writeSeconds, written / writeSeconds, THREADS, ACCOUNTS);
        }
        System.out.printf("%-34s %10s %10s %12s %14s %14s %10s%n", "read model", "events", "seconds", "events/s",
                "JVM cpu us/ev", "PG cpu us/ev", "same rows");
        for (Row r : rows) {
            System.out.printf("%-34s %10d %10.2f %12.0f %14.1f %14.1f %10s%n", r.readModel, r.events, r.seconds,
                    r.events / r.seconds, r.jvmCpuMs * 1000 / r.events, r.postgresCpuMs * 1000 / r.events,
                    r.same ? "yes" : "NO");
        }
        System.out.printf("(PostgreSQL 15, database %s, schema %s, %d cores, load average %.1f at the end; after "
                        + "one unmeasured rebuild; events: events in the store, each delivered to every read model "
                        + "of the row; cpu: microseconds of CPU per event, this JVM and PostgreSQL's processes)%n", DATABASE, SCHEMA, Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static long events(JdbcTemplate jdbc) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM DomainEventEntry", Long.class);
        return count == null ? 0 : count;
    }

    /**
     * A mixed workload from many threads: each step is a transfer (two events), a hold that is settled or
     * released (two events) or a deposit (one), until the store holds the asked number of events.
     */
    private static void write(CommandGateway commands, long events) throws Exception {
        List<AccountId> accounts = new ArrayList<>();
        AtomicInteger planned = new AtomicInteger();
        Load.run(THREADS, ACCOUNTS, random -> {
            AccountId id = AccountId.of("replay-" + UUID.randomUUID());
            commands.sendAndWait(new OpenAccount(id, Instant.now()));
            commands.sendAndWait(new DepositCredits(id, "seed", Money.ofUsd(1_000_000), "bench", "bench",
                    Intent.NONE, Instant.now()));
            synchronized (accounts) {
                accounts.add(id);
            }
            planned.addAndGet(2);
            return true;
        });
        Charge template = new Charge("@cf/meta/llama-3.1-8b-instruct", 16, 4, TokenSource.PROVIDER,
                Money.ofNanos(282_000_000), Money.ofNanos(827_000_000), Money.ofNanos(7_820), "x");
        int steps = (int) Math.max(0, (events - planned.get()) / 2);
        Load.Measured m = Load.run(THREADS, steps, random -> {
            AccountId account = accounts.get(random.nextInt(accounts.size()));
            int kind = random.nextInt(100);
            Instant now = Instant.now();
            if (kind < 40) {
                AccountId to = accounts.get(random.nextInt(accounts.size()));
                if (to.equals(account)) {
                    to = accounts.get((accounts.indexOf(account) + 1) % accounts.size());
                }
                commands.sendAndWait(new SendTransfer(account, "t-" + UUID.randomUUID(), to,
                        Money.ofNanos(1_000_000 + random.nextInt(1_000_000)), "bench", Intent.NONE, now));
            } else if (kind < 90) {
                String hold = "h-" + UUID.randomUUID();
                String request = "req_" + UUID.randomUUID();
                commands.sendAndWait(new ReserveCredits(account, hold, Money.ofNanos(100_000), request,
                        now.plus(Duration.ofHours(1)), now));
                if (kind < 80) {
                    Charge charge = new Charge(template.model(), 16 + random.nextInt(100), 4 + random.nextInt(60),
                            TokenSource.PROVIDER, template.inputPricePerMillion(), template.outputPricePerMillion(),
                            Money.ofNanos(7_820 + random.nextInt(50_000)), request);
                    commands.sendAndWait(new SettleReservation(account, hold, charge, Instant.now()));
                } else {
                    commands.sendAndWait(new ReleaseReservation(account, hold, "upstream_failed", Instant.now()));
                }
            } else {
                // A deposit is one event; two keep the step the same size as the others.
                for (int i = 0; i < 2; i++) {
                    commands.sendAndWait(new DepositCredits(account, "d-" + UUID.randomUUID(), Money.ofUsd(5),
                            "bench", "bench", Intent.NONE, now));
                }
            }
            return true;
        });
        if (m.failures() > 0) {
            System.out.println("failed steps: " + m.failures());
        }
    }

    /** Resets and rebuilds the given read models together; the time runs from the reset to the last caught up. */
    private static Row replay(JdbcTemplate jdbc, Projections projections, List<String> readModels, long events)
            throws Exception {
        Map<String, Object> live = fingerprint(jdbc);
        CpuTime.Reading cpu = CpuTime.now();
        long start = System.nanoTime();
        // Recorded, then carried out at once by this node, which holds the token (ADR 46); the status says
        // "replaying" from the request on, so the wait below cannot end before the reset. One request rebuilds
        // all three read models, which share one processor (ADR 51).
        projections.replay(readModels.get(0));
        awaitCaughtUp(projections, readModels);
        double seconds = (System.nanoTime() - start) / 1e9;
        double[] cpuMs = CpuTime.now().perOperation(cpu, 1);
        boolean same = fingerprint(jdbc).equals(live);
        if (!same) {
            System.out.println("live:    " + live);
            System.out.println("rebuilt: " + fingerprint(jdbc));
        }
        String name = readModels.size() == 1 ? readModels.get(0) : String.join(" + ", readModels) + " at once";
        return new Row(name, events, seconds, cpuMs[0], cpuMs[1], same);
    }

    private static void awaitCaughtUp(Projections projections, List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (System.nanoTime() < deadline) {
            boolean done = projections.status().stream().filter(s -> names.contains(s.name()))
                    .allMatch(s -> "caught_up".equals(s.status()));
            if (done) {
                return;
            }
            // Each look asks the database for the head of the stream: often enough, but not so often that the
            // bench competes with the replay it measures.
            Thread.sleep(50);
        }
        throw new IllegalStateException("not caught up: " + projections.status());
    }

    /** Every row of every read model, summed up: equal fingerprints before and after a replay, or it did not count. */
    private static Map<String, Object> fingerprint(JdbcTemplate jdbc) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("account_balance", jdbc.queryForMap("SELECT COUNT(*) AS n, SUM(balance_nanos) AS balance, "
                + "SUM(held_nanos) AS held, SUM(CASE WHEN open THEN 1 ELSE 0 END) AS open, "
                + "SUM(EXTRACT(EPOCH FROM updated_at)) AS at FROM account_balance"));
        f.put("ledger_entry", jdbc.queryForMap("SELECT COUNT(*) AS n, SUM(amount_nanos) AS amount, "
                + "SUM(balance_after_nanos) AS after, SUM(seq) AS seq, COUNT(DISTINCT id) AS ids, "
                + "SUM(LENGTH(type) + LENGTH(COALESCE(counterparty, '')) + LENGTH(COALESCE(description, '')) "
                + "+ LENGTH(COALESCE(model, '')) + LENGTH(COALESCE(request_id, ''))) AS text, "
                + "SUM(EXTRACT(EPOCH FROM at)) AS at FROM ledger_entry"));
        f.put("usage_call", jdbc.queryForMap("SELECT COUNT(*) AS n, SUM(cost_nanos) AS cost, "
                + "SUM(input_tokens) AS input, SUM(output_tokens) AS output, SUM(COALESCE(latency_ms, 0)) AS latency, "
                + "SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok, COUNT(call_day) AS days, "
                + "COUNT(ended_at) AS ended, COUNT(model) AS models FROM usage_call"));
        f.put("history_position", jdbc.queryForMap("SELECT COUNT(*) AS n, SUM(seq) AS seq FROM history_position"));
        return f;
    }

    private ReplayBench() {
    }
}
