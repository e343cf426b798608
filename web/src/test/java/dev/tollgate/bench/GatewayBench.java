package dev.tollgate.bench;

import static dev.tollgate.web.e2e.Http.json;

import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.web.cluster.Node;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * bench/gateway: the latency Tollgate adds to a metered chat over calling the same fake Workers AI directly, at
 * concurrency 1, 16 and 64, non-stream and time to first streamed byte, on the embedded default (on PostgreSQL with
 * {@code -Dbench.store=postgresql}); and metered calls per second, with every caller on one account (all calls
 * serialise on that account) and spread over 64 accounts.
 * Same machine, same run; the fake answers in one write, so the direct column is the network and the client.
 * Each row starts with the read models caught up, and its calls/s counts until they have recorded its calls.
 * <p>
 * Tollgate runs as its own process, started from web/target/tollgate.jar as an operator starts it (JVM options:
 * {@code -Dbench.tollgateJvm}, {@code -Xmx1g} unless told); the client and the fake run in this JVM. In one JVM, the
 * garbage collector's pauses for the client's and the fake's objects were charged to Tollgate too, and Tollgate's
 * pauses to the direct calls.
 * <p>
 * Answered at once, 64 closed-loop callers saturate two cores, and those rows measure the queue for the CPU more
 * than Tollgate. So the last rows call a fake that takes a model's time to answer ({@code -Dbench.modelMillis},
 * 100 ms unless told), as real models do and as LiteLLM's published overhead is measured: chat at 16 and 64
 * concurrent calls on one account, at 64 on 64 accounts, and first streamed byte at 64. With one fixed model time,
 * closed-loop callers march in step, and every wave of answers queues for the CPU at once; so the same rows are run
 * again with each call's model time drawn from half to one and a half times it, and each call's latency is counted
 * beyond its own model time ({@link #measureVaried}). Each row also counts the connections the fake accepted while it
 * ran: a pooled client that keeps them alive opens none once warm. {@code -Dbench.rows=<part of a row's name>}
 * runs only the rows so named.
 */
public final class GatewayBench {
    private static final int CALLS = Integer.getInteger("bench.calls", 1_000);
    /**
     * Calls before measuring. The JIT needs tens of thousands of calls through Spring, Axon and H2 before it stops
     * compiling (on 2 cores the compiler threads alone took 40% of the CPU during the first 10,000 calls); a server
     * that has been up a minute is past that, so the table reports the steady state.
     */
    private static final int WARM_UP = Integer.getInteger("bench.warmup", 20_000);
    /** Whether the warm-up ends with single calls until the JIT is quiet ({@link JitSettle}); off to compare. */
    private static final boolean SETTLE = !"false".equals(System.getProperty("bench.settle"));
    private static double settled;
    private static final int MODEL_MILLIS = Integer.getInteger("bench.modelMillis", 100);
    private static final String MODEL_PATH = "/accounts/bench/ai/run/@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = chat("Why is pizza so good?");
    private static final String STREAM_CHAT = streamed(CHAT);
    private static final String MODEL_CHAT = chat("Why is pizza so good? " + FastUpstream.TAKES_MODEL_TIME);
    private static final String MODEL_STREAM_CHAT = streamed(MODEL_CHAT);

    public record Row(String mode, int concurrency, int accounts, Result direct, Result metered) {
    }

    /**
     * cpuMs: CPU per call of this JVM (the client and the fake) and Tollgate's process together; connections: those
     * the fake accepted during the calls.
     */
    public record Result(double p50, double p99, double perSecond, int failures, double cpuMs, int connections) {
    }

    public static void main(String[] args) throws Exception {
        print(run());
        System.exit(0);
    }

    static void print(List<Row> rows) {
        System.out.println();
        System.out.printf("%-36s %5s %8s %10s %10s %11s %11s %10s %10s %10s %10s %10s %11s%n", "gateway call",
                "conc.", "accounts", "direct p50", "direct p99", "metered p50", "metered p99", "added p50", "added p99",
                "metered/s", "direct cpu", "added cpu", "new conns");
        for (Row r : rows) {
            System.out.printf("%-36s %5d %8d %10.2f %10.2f %11.2f %11.2f %10.2f %10.2f %10.0f %10.2f %10.2f %11s%n",
                    r.mode, r.concurrency, r.accounts, r.direct.p50, r.direct.p99, r.metered.p50, r.metered.p99,
                    r.metered.p50 - r.direct.p50, r.metered.p99 - r.direct.p99, r.metered.perSecond, r.direct.cpuMs,
                    r.metered.cpuMs - r.direct.cpuMs, r.direct.connections + "/" + r.metered.connections);
        }
        System.out.printf("(ms; %d calls per row after %d warm-up calls; %s; %d cores shared by client, "
                + "Tollgate%s and the fake; Tollgate's own process, JVM options %s; direct cpu: CPU ms per direct "
                + "call of the client and the fake; added cpu: CPU ms per call of %s, metered minus direct)%n",
                CALLS, WARM_UP,
                ON_POSTGRES ? "PostgreSQL 15 on this machine" : "embedded default",
                Runtime.getRuntime().availableProcessors(), ON_POSTGRES ? ", PostgreSQL" : "",
                String.join(" ", JVM_OPTIONS), ON_POSTGRES ? "the processes and PostgreSQL" : "both processes");
        System.out.printf("(model %d ms: the fake waits %d ms after reading each request of those rows, then answers; "
                + "model %d-%d ms: each call waits its own time, drawn evenly, and its latencies are counted beyond "
                + "it; new conns: connections the fake accepted during the row, direct/metered)%n", MODEL_MILLIS,
                MODEL_MILLIS, MODEL_MILLIS / 2, MODEL_MILLIS * 3 / 2);
        if (!SPLITS.isEmpty()) {
            System.out.println();
            System.out.printf("%-36s %5s %-8s %10s %10s %10s %10s%n", "varied rows: time beyond the model", "conc.",
                    "call", "before p50", "before p99", "after p50", "after p99");
            SPLITS.forEach(System.out::println);
            System.out.println("(before: from sending the call until the fake had read it; after: from the fake's "
                    + "answer until the whole answer, or its first byte, was read)");
        }
        System.out.println(LEAN ? "(load: blocking sockets, kept alive in a pool per server; "
                + "-Dbench.client=jdk for the JDK's HttpClient)" : "(load: the JDK's HttpClient)");
        System.out.println(!SETTLE ? "(warm-up not settled: -Dbench.settle=false)"
                : settled < 0 ? String.format("(the JIT was still compiling after %.0f s of single calls)", -settled)
                : String.format("(then single calls for %.0f s until the JIT was quiet)", settled));
    }

    public static List<Row> run() throws Exception {
        try (FastUpstream upstream = new FastUpstream(MODEL_MILLIS)) {
            opened = upstream::connectionsOpened;
            fake = upstream;
            String base = "http://127.0.0.1:" + upstream.port() + "/client/v4";
            Map<String, String> environment = new HashMap<>(Map.of(
                    "TOLLGATE_DATA_DIR", Storage.tempDir().toString(),
                    "CLOUDFLARE_API_BASE", base, "CLOUDFLARE_ACCOUNT_ID", "bench", "CLOUDFLARE_API_KEY", "bench-token",
                    "TOLLGATE_ADMIN_EMAIL", RunningTollgate.ADMIN_EMAIL,
                    "TOLLGATE_ADMIN_PASSWORD", RunningTollgate.ADMIN_PASSWORD));
            if (ON_POSTGRES) {
                environment.putAll(freshPostgresSchema());
            }
            try (Node app = Node.start("gateway", environment, JVM_OPTIONS, List.of("--logging.level.root=WARN"))
                    .awaitReady()) {
                tollgatePid = app.pid();
                String admin = app.http.post("/api/auth/login", null,
                        json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                        .body().get("access_token").asText();
                drain = () -> caughtUp(app.http, admin);
                List<String> tokens = fundedUsers(app.http, admin, 64);
                HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(64)).build();
                URI direct = URI.create(base + MODEL_PATH);
                URI chat = URI.create("http://127.0.0.1:" + app.port + "/api/ai/chat");
                URI stream = URI.create("http://127.0.0.1:" + app.port + "/api/ai/chat/stream");
                measure(client, direct, "bench-token", CHAT, 16, WARM_UP / 4, false);
                measureSpread(client, chat, tokens, CHAT, 16, WARM_UP); // warm-up
                measure(client, stream, tokens.get(0), CHAT, 16, WARM_UP / 4, true);
                // 64 calls at a time that each hold their connection for a model's time: every pool on the way
                // (this client's, Tomcat's threads, Tollgate's to the fake) grows to 64 before any row is measured,
                // not during the first row that needs it.
                measure(client, direct, "bench-token", MODEL_CHAT, 64, 640, false);
                measureSpread(client, chat, tokens, MODEL_CHAT, 64, 640);
                if (SETTLE) {
                    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
                    List<Prepared> each = List.of(request(direct, "bench-token", CHAT),
                            request(direct, "bench-token", STREAM_CHAT), request(chat, tokens.get(0), CHAT),
                            request(stream, tokens.get(0), CHAT));
                    int[] next = {0};
                    long pid = app.pid();
                    settled = JitSettle.settle(random -> call(client, each.get(next[0]++ % each.size()), null),
                            () -> jit.getTotalCompilationTime() + CpuTime.compilerTicks(pid) * 10);
                }
                atMeasure(app.pid());
                List<Row> rows = new ArrayList<>();
                for (int concurrency : new int[] {1, 16, 64}) {
                    if (wanted("chat")) {
                        rows.add(new Row("chat", concurrency, 1,
                                measure(client, direct, "bench-token", CHAT, concurrency, CALLS, false),
                                measure(client, chat, tokens.get(0), CHAT, concurrency, CALLS, false)));
                    }
                }
                if (wanted("chat")) {
                    rows.add(new Row("chat", 64, 64,
                            measure(client, direct, "bench-token", CHAT, 64, CALLS, false),
                            measureSpread(client, chat, tokens, CHAT, 64, CALLS)));
                }
                for (int concurrency : new int[] {1, 16, 64}) {
                    if (wanted("stream first byte")) {
                        rows.add(new Row("stream first byte", concurrency, 1,
                                measure(client, direct, "bench-token", STREAM_CHAT, concurrency, CALLS, true),
                                measure(client, stream, tokens.get(0), CHAT, concurrency, CALLS, true)));
                    }
                }
                String model = ", model " + MODEL_MILLIS + " ms";
                for (int concurrency : new int[] {16, 64}) {
                    if (wanted("chat" + model)) {
                        rows.add(new Row("chat" + model, concurrency, 1,
                                measure(client, direct, "bench-token", MODEL_CHAT, concurrency, CALLS, false),
                                measure(client, chat, tokens.get(0), MODEL_CHAT, concurrency, CALLS, false)));
                    }
                }
                if (wanted("chat" + model)) {
                    rows.add(new Row("chat" + model, 64, 64,
                            measure(client, direct, "bench-token", MODEL_CHAT, 64, CALLS, false),
                            measureSpread(client, chat, tokens, MODEL_CHAT, 64, CALLS)));
                }
                if (wanted("stream first byte" + model)) {
                    rows.add(new Row("stream first byte" + model, 64, 1,
                            measure(client, direct, "bench-token", MODEL_STREAM_CHAT, 64, CALLS, true),
                            measure(client, stream, tokens.get(0), MODEL_CHAT, 64, CALLS, true)));
                }
                String varied = ", model " + MODEL_MILLIS / 2 + "-" + MODEL_MILLIS * 3 / 2 + " ms";
                String chatVaried = "chat" + varied;
                String spread = chatVaried + ", 64 accounts";
                String streamVaried = "stream first byte" + varied;
                List<String> direct1 = List.of("bench-token");
                List<String> one = tokens.subList(0, 1);
                for (int concurrency : new int[] {16, 64}) {
                    if (wanted(chatVaried)) {
                        rows.add(new Row(chatVaried, concurrency, 1,
                                measureVaried(chatVaried, client, direct, direct1, false, concurrency, false),
                                measureVaried(chatVaried, client, chat, one, false, concurrency, false)));
                    }
                }
                if (wanted(chatVaried)) {
                    rows.add(new Row(chatVaried, 64, 64,
                            measureVaried(spread, client, direct, direct1, false, 64, false),
                            measureVaried(spread, client, chat, tokens, false, 64, false)));
                }
                if (wanted(streamVaried)) {
                    rows.add(new Row(streamVaried, 64, 1,
                            measureVaried(streamVaried, client, direct, direct1, true, 64, true),
                            measureVaried(streamVaried, client, stream, one, false, 64, true)));
                }
                return rows;
            }
        }
    }

    /**
     * {@code -Dbench.store=postgresql}: Tollgate stores in schema {@value #PG_SCHEMA} of database {@code tollgate_bench}
     * (made by .ci/run; the schema dropped and made again), and PostgreSQL's CPU counts with the processes'.
     */
    private static final boolean ON_POSTGRES = "postgresql".equals(System.getProperty("bench.store", "embedded"));
    private static final String PG_SCHEMA = "gateway";

    private static Map<String, String> freshPostgresSchema() throws java.sql.SQLException {
        String server = System.getenv().getOrDefault("TOLLGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
        String user = System.getenv().getOrDefault("TOLLGATE_TEST_PG_USER", "postgres");
        String password = System.getenv().getOrDefault("TOLLGATE_TEST_PG_PASSWORD", "");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(server + "tollgate_bench", user, password);
             java.sql.Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + PG_SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + PG_SCHEMA);
        }
        return Map.of("DATABASE_URL", server + "tollgate_bench?currentSchema=" + PG_SCHEMA,
                "DATABASE_USERNAME", user, "DATABASE_PASSWORD", password, "SPRING_FLYWAY_SCHEMAS", PG_SCHEMA);
    }

    /** Tollgate's process, whose CPU time counts with this JVM's. */
    private static long tollgatePid = -1;
    /**
     * The options Tollgate's JVM is started with ({@code -Dbench.tollgateJvm}, split at spaces): by default those
     * docs/operations.md recommends to operators.
     */
    private static final List<String> JVM_OPTIONS = List.of(
            System.getProperty("bench.tollgateJvm", "-Xmx1g").trim().split("\\s+"));

    /** Waits until the read models have recorded every event appended so far; a no-op before the app runs. */
    private static Runnable drain = () -> { };
    /** Connections the fake has accepted so far. */
    private static IntSupplier opened;
    /** The fake, which tells when it read and answered each varied call. */
    private static FastUpstream fake;
    private static final AtomicLong CALL_IDS = new AtomicLong();
    /** Per varied row, where its time beyond the model went: before the fake read the call, after it answered. */
    private static final List<String> SPLITS = new ArrayList<>();

    private static void caughtUp(Http http, String admin) {
        for (int i = 0; i < 12_000; i++) {
            Http.Answer status = http.get("/api/admin/projections", admin);
            boolean caughtUp = status.status() == 200;
            for (JsonNode projection : status.body()) {
                caughtUp &= projection.path("lag").isNull() || projection.path("lag").asLong() == 0;
            }
            if (caughtUp) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("read models did not catch up within 120 s");
    }

    /** Milliseconds of CPU per call since {@code before}, of this JVM (client and fake) and Tollgate's process. */
    private static double cpuMsPerCall(long before, int calls) {
        return (cpuTicks() - before) * 10.0 / calls;
    }

    private static long cpuTicks() {
        CpuTime.Reading now = CpuTime.now();
        return now.jvmTicks() + (ON_POSTGRES ? now.postgresTicks() : 0)
                + (tollgatePid < 0 ? 0 : CpuTime.processTicks(tollgatePid));
    }

    private static String chat(String prompt) {
        return "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}";
    }

    private static String streamed(String chat) {
        return chat.replace("{\"model\"", "{\"stream\":true,\"model\"");
    }

    /**
     * Which client makes the load: {@code lean} ({@link LeanClient}, unless told) or {@code jdk} (the JDK's
     * {@code HttpClient}, which the benchmark used up to session 17).
     */
    private static final boolean LEAN = !"jdk".equals(System.getProperty("bench.client", "lean"));
    private static final LeanClient LEAN_CLIENT = new LeanClient();

    /** One call, ready for either client. */
    private record Prepared(HttpRequest jdk, LeanClient.Request lean) {
    }

    private static Prepared request(URI uri, String token, String body) {
        return new Prepared(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build(), LeanClient.post(uri, token, body));
    }

    /** Latency to the whole answer, or (firstByte) to the first byte of the body; the body is always read through. */
    private static Result measure(HttpClient client, URI uri, String token, String body, int concurrency, int total,
                                  boolean firstByte) throws Exception {
        Prepared request = request(uri, token, body);
        Latencies firstBytes = new Latencies(total);
        drain.run(); // each row starts with the read models caught up, so no row pays for the one before
        int connections = opened.getAsInt();
        long cpu = cpuTicks();
        long started = System.nanoTime();
        Load.Measured m = Load.run(concurrency, total, random -> call(client, request, firstByte ? firstBytes : null));
        connections = opened.getAsInt() - connections;
        drain.run(); // and a call counts once the read models have recorded it too
        double perSecond = total / ((System.nanoTime() - started) / 1e9);
        double cpuMs = cpuMsPerCall(cpu, total);
        if (m.failures() > 0) {
            System.out.println("failed calls to " + uri.getPath() + ": " + m.failures());
        }
        return firstByte
                ? new Result(firstBytes.percentileMillis(50), firstBytes.percentileMillis(99), perSecond,
                        m.failures(), cpuMs, connections)
                : new Result(m.p50(), m.p99(), perSecond, m.failures(), cpuMs, connections);
    }

    private static Result measureSpread(HttpClient client, URI uri, List<String> tokens, String body, int concurrency,
                                        int total) throws Exception {
        List<Prepared> requests = tokens.stream().map(t -> request(uri, t, body)).toList();
        drain.run();
        int connections = opened.getAsInt();
        long cpu = cpuTicks();
        long started = System.nanoTime();
        Load.Measured m = Load.run(concurrency, total,
                random -> call(client, requests.get(random.nextInt(requests.size())), null));
        connections = opened.getAsInt() - connections;
        drain.run();
        double perSecond = total / ((System.nanoTime() - started) / 1e9);
        return new Result(m.p50(), m.p99(), perSecond, m.failures(), cpuMsPerCall(cpu, total),
                connections);
    }

    /**
     * Calls whose model time varies, as real answers' lengths do: each names a time drawn evenly from half to one and a
     * half times the model time, and its latency (to the whole answer, or to the first byte) is counted beyond that
     * time. Callers with a fixed model time march in step (each wave of answers arrives together and queues for the
     * CPU together); with varied times they drift apart, as a real service's callers do.
     */
    private static Result measureVaried(String label, HttpClient client, URI uri, List<String> tokens,
                                        boolean streamBody, int concurrency, boolean firstByte) throws Exception {
        Latencies beyond = new Latencies(CALLS);
        Latencies before = new Latencies(CALLS);
        Latencies after = new Latencies(CALLS);
        drain.run();
        int connections = opened.getAsInt();
        long cpu = cpuTicks();
        long started = System.nanoTime();
        Load.Measured m = Load.run(concurrency, CALLS, random -> {
            long millis = MODEL_MILLIS / 2 + random.nextInt(MODEL_MILLIS + 1);
            long id = CALL_IDS.incrementAndGet();
            String body = chat("Why is pizza so good? " + FastUpstream.takes(millis) + FastUpstream.call(id));
            Prepared request = request(uri, tokens.get(random.nextInt(tokens.size())),
                    streamBody ? streamed(body) : body);
            long began = System.nanoTime();
            long[] firstAt = new long[1];
            boolean ok = call(client, request, firstByte ? beyond : null, millis * 1_000_000, firstAt);
            long ended = firstByte ? firstAt[0] : System.nanoTime();
            if (!firstByte) {
                beyond.add(ended - began - millis * 1_000_000);
            }
            FastUpstream.Seen seen = fake.seen(id);
            if (seen != null) {
                before.add(seen.read() - began);
                after.add(ended - seen.answered());
            }
            return ok;
        });
        SPLITS.add(String.format("%-36s %5d %-8s %10.2f %10.2f %10.2f %10.2f", label, concurrency,
                uri.getPath().startsWith("/client") ? "direct" : "metered", before.percentileMillis(50),
                before.percentileMillis(99), after.percentileMillis(50), after.percentileMillis(99)));
        connections = opened.getAsInt() - connections;
        drain.run();
        double perSecond = CALLS / ((System.nanoTime() - started) / 1e9);
        return new Result(beyond.percentileMillis(50), beyond.percentileMillis(99), perSecond, m.failures(),
                cpuMsPerCall(cpu, CALLS), connections);
    }

    /**
     * {@code -Dbench.atMeasure=<shell command>}: run once the warm-up is over, before the first measured row, with
     * Tollgate's process id in {@code TOLLGATE_PID}; e.g. {@code jcmd $TOLLGATE_PID JVMTI.agent_load <profiler>} to
     * profile the measured rows only.
     */
    private static void atMeasure(long pid) throws Exception {
        String command = System.getProperty("bench.atMeasure");
        if (command == null || command.isBlank()) {
            return;
        }
        ProcessBuilder shell = new ProcessBuilder("bash", "-c", command).inheritIO();
        shell.environment().put("TOLLGATE_PID", Long.toString(pid));
        int exit = shell.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("-Dbench.atMeasure exited with " + exit);
        }
    }

    /** Whether {@code -Dbench.rows} (a part of a row's name; every row unless told) asks for this row. */
    private static boolean wanted(String mode) {
        String rows = System.getProperty("bench.rows");
        return rows == null || mode.contains(rows);
    }

    private static boolean call(HttpClient client, Prepared request, Latencies firstBytes) throws Exception {
        return call(client, request, firstBytes, 0);
    }

    /** Sends, reads the answer through; {@code firstBytes} (if any) gets the time to its first byte less {@code less}. */
    private static boolean call(HttpClient client, Prepared request, Latencies firstBytes, long less)
            throws Exception {
        return call(client, request, firstBytes, less, new long[1]);
    }

    /** As above; {@code firstAt[0]} gets the moment its first byte was read. */
    private static boolean call(HttpClient client, Prepared request, Latencies firstBytes, long less,
                                long[] firstAt) throws Exception {
        long began = System.nanoTime();
        if (LEAN) {
            LeanClient.Answer answer = LEAN_CLIENT.send(request.lean());
            firstAt[0] = answer.firstByteAt();
            if (firstBytes != null) {
                firstBytes.add(firstAt[0] - began - less);
            }
            return answer.status() == 200 && answer.hadBody();
        }
        HttpResponse<InputStream> response = client.send(request.jdk(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            int first = body.read();
            firstAt[0] = System.nanoTime();
            if (firstBytes != null) {
                firstBytes.add(firstAt[0] - began - less);
            }
            body.transferTo(OutputStreamSink.INSTANCE);
            return response.statusCode() == 200 && first >= 0;
        }
    }

    /** Discards what it is given. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    private static List<String> fundedUsers(Http http, String admin, int count) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String email = "bench-" + i + "@example.com";
            String id = http.post("/api/auth/register", null, json("email", email, "password", "bench-password"))
                    .body().get("id").asText();
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "100000"));
            tokens.add(http.post("/api/auth/login", null, json("email", email, "password", "bench-password"))
                    .body().get("access_token").asText());
        }
        return tokens;
    }

    private GatewayBench() {
    }
}
