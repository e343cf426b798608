package dev.tollgate.bench;

import static dev.tollgate.web.e2e.Http.json;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import dev.tollgate.web.ops.Projections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventsourcing.eventstore.EventStore;

/**
 * bench/ledger: concurrent transfers through the command gateway and over HTTP, on the embedded default and on
 * PostgreSQL. A gateway transfer counts once the saga has credited the receiver (no transfer left in flight);
 * an HTTP transfer counts when its answer says "completed". Prints one table.
 */
public final class LedgerBench {
    private static final int ACCOUNTS = 100;
    private static final int THREADS = Integer.getInteger("bench.threads", 16);
    private static final int GATEWAY_TRANSFERS = Integer.getInteger("bench.gateway", 20_000);
    private static final int HTTP_TRANSFERS = Integer.getInteger("bench.http", 4_000);
    private static final int WARM_UP = Integer.getInteger("bench.warmup", 10_000);
    /** HTTP transfers before measuring: the gateway's warm-up compiles the ledger, not the web layer. */
    private static final int HTTP_WARM_UP = Integer.getInteger("bench.httpWarmup", 2_000);
    /** Whether each warm-up ends with single transfers until the JIT is quiet ({@link JitSettle}); off to compare. */
    private static final boolean SETTLE = !"false".equals(System.getProperty("bench.settle"));
    private static double settled;

    public record Row(String storage, String path, int transfers, double seconds, double p50, double p99,
                      double lagP99, double[] cpuMs) {
    }

    public static void main(String[] args) throws Exception {
        print(measure());
        System.exit(0);
    }

    public static List<Row> measure() throws Exception {
        List<Row> rows = new ArrayList<>();
        String storage = System.getProperty("bench.storage", "both"); // embedded, postgres or both
        if (!storage.equals("postgres")) {
            rows.addAll(run("embedded (H2 file)", Storage.embedded(Storage.tempDir())));
        }
        if (storage.equals("embedded")) {
            return rows;
        }
        String database = Storage.newPostgresDatabase();
        try {
            rows.addAll(run("PostgreSQL 15", Storage.postgres(database, Storage.tempDir())));
        } finally {
            Storage.dropPostgresDatabase(database);
        }
        return rows;
    }

    static void print(List<Row> rows) {
        System.out.println();
        System.out.printf("%-20s %-16s %10s %12s %10s %10s %14s %12s %12s%n", "storage", "path", "transfers",
                "transfers/s", "p50 ms", "p99 ms", "proj lag p99 ms", "JVM cpu ms", "PG cpu ms");
        for (Row r : rows) {
            System.out.printf("%-20s %-16s %10d %12.0f %10.2f %10.2f %14.2f %12.2f %12.2f%n", r.storage, r.path,
                    r.transfers, r.transfers / r.seconds, r.p50, r.p99, r.lagP99, r.cpuMs[0], r.cpuMs[1]);
        }
        System.out.printf("(%d threads, %d accounts, %d cores; projection lag: event made → committed in the "
                + "balances, history and usage read models; CPU per transfer, load generator included in the JVM's)%n", THREADS, ACCOUNTS,
                Runtime.getRuntime().availableProcessors());
        System.out.println(!SETTLE ? "(warm-ups not settled: -Dbench.settle=false)"
                : String.format("(each warm-up then ran single transfers until the JIT was quiet: %.0f s in all%s)",
                        Math.abs(settled), settled < 0 ? ", and it was still compiling at a limit" : ""));
    }

    /** Credits seen on the event bus; counting them in memory keeps the measurement off the database. */
    private static final AtomicInteger received = new AtomicInteger();

    private static List<Row> run(String storage, Map<String, String> properties) throws Exception {
        try (RunningTollgate app = RunningTollgate.start(properties)) {
            CommandGateway commands = app.bean(CommandGateway.class);
            app.bean(EventStore.class).subscribe(events -> events.forEach(event -> {
                if (event.getPayloadType() == TransferReceived.class) {
                    received.incrementAndGet();
                }
            }));
            List<AccountId> accounts = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                AccountId id = AccountId.of("bench-" + UUID.randomUUID());
                commands.sendAndWait(new OpenAccount(id, Instant.now()));
                commands.sendAndWait(new DepositCredits(id, "dep-" + i, Money.ofUsd(1_000_000), "bench", "bench",
                        Intent.NONE, Instant.now()));
                accounts.add(id);
            }
            ProjectionLag lag = new ProjectionLag(app.bean(EventProcessingConfiguration.class));
            Projections projections = app.bean(Projections.class);
            gateway(commands, accounts, WARM_UP); // the JIT's steady state, as in bench/gateway
            if (SETTLE) {
                settled = add(settled, JitSettle.settle(random -> transfer(commands, accounts, random)));
            }
            // Each transfer makes two events, each recorded by three read models.
            lag.start(GATEWAY_TRANSFERS * 6 + 1_000);
            Row viaGateway = gateway(commands, accounts, GATEWAY_TRANSFERS);
            double gatewayLag = lag.p99(projections);
            lag.start(HTTP_TRANSFERS * 6 + 1_000);
            Row viaHttp = http(app, HTTP_TRANSFERS);
            double httpLag = lag.p99(projections);
            return List.of(new Row(storage, viaGateway.path, viaGateway.transfers, viaGateway.seconds, viaGateway.p50,
                            viaGateway.p99, gatewayLag, viaGateway.cpuMs),
                    new Row(storage, viaHttp.path, viaHttp.transfers, viaHttp.seconds, viaHttp.p50, viaHttp.p99,
                            httpLag, viaHttp.cpuMs));
        }
    }

    private static Row gateway(CommandGateway commands, List<AccountId> accounts, int total)
            throws Exception {
        received.set(0);
        CpuTime.Reading cpu = CpuTime.now();
        long start = System.nanoTime();
        Load.Measured sends = Load.run(THREADS, total, random -> transfer(commands, accounts, random));
        // A transfer is done when the process has credited the receiver: wait until every one sent is received.
        for (int i = 0; i < 3_000 && received.get() < total; i++) {
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Row("", "command gateway", total, seconds, sends.p50(), sends.p99(), 0,
                CpuTime.now().perOperation(cpu, total));
    }

    /** Sums settling times; negative once any of them hit its limit. */
    private static double add(double sum, double seconds) {
        double total = Math.abs(sum) + Math.abs(seconds);
        return sum < 0 || seconds < 0 ? -total : total;
    }

    private static boolean transfer(CommandGateway commands, List<AccountId> accounts, Random random) {
        AccountId from = accounts.get(random.nextInt(accounts.size()));
        AccountId to = accounts.get(random.nextInt(accounts.size()));
        if (to.equals(from)) {
            to = accounts.get((accounts.indexOf(from) + 1) % accounts.size());
        }
        commands.sendAndWait(new SendTransfer(from, "t-" + UUID.randomUUID(), to, Money.ofNanos(1_000_000),
                null, Intent.NONE, Instant.now()));
        return true;
    }

    private static Row http(RunningTollgate app, int total) throws Exception {
        Http http = app.http;
        String admin = http.post("/api/auth/login", null,
                json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                .body().get("access_token").asText();
        List<String> emails = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String email = "bench-" + i + "-" + UUID.randomUUID() + "@example.com";
            String id = http.post("/api/auth/register", null, json("email", email, "password", "bench-password"))
                    .body().get("id").asText();
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1000000"));
            tokens.add(http.post("/api/auth/login", null, json("email", email, "password", "bench-password"))
                    .body().get("access_token").asText());
            emails.add(email);
        }
        Load.Call transfer = random -> {
            int from = random.nextInt(emails.size());
            int to = (from + 1 + random.nextInt(emails.size() - 1)) % emails.size();
            Http.Answer answer = http.post("/api/credits/transfer", tokens.get(from),
                    json("to", emails.get(to), "amount_usd", "0.001"));
            return answer.status() == 200 && "completed".equals(answer.body().path("status").asText());
        };
        Load.run(THREADS, HTTP_WARM_UP, transfer);
        if (SETTLE) {
            settled = add(settled, JitSettle.settle(transfer));
        }
        CpuTime.Reading cpu = CpuTime.now();
        Load.Measured m = Load.run(THREADS, total, transfer);
        if (m.failures() > 0) {
            System.out.println("HTTP transfers not completed: " + m.failures());
        }
        return new Row("", "HTTP", total, m.seconds(), m.p50(), m.p99(), 0, CpuTime.now().perOperation(cpu, total));
    }

    private LedgerBench() {
    }
}
