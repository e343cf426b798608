package dev.tollgate.web.cluster;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.Storage;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Tollgate processes on one PostgreSQL behave as one ledger: from both at once, concurrent transfers, metered
 * chats and retried idempotent deposits conserve money, leave nothing negative and apply each deposit once; then one
 * node is killed mid-load and the other finishes the work: it takes over the event processors' segments, and a hold
 * the dead node left open expires through its deadline.
 */
class TwoNodesOnOnePostgresIT {
    private static final String ADMIN_EMAIL = "admin@cluster.test";
    private static final String ADMIN_PASSWORD = "cluster-admin-password";
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String ANSWER = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":16,"
            + "\"completion_tokens\":4,\"total_tokens\":20}},\"success\":true,\"errors\":[],\"messages\":[]}";
    private static final int USERS = 4;

    private final MockWebServer upstream = new MockWebServer();
    private final List<Node> nodes = new ArrayList<>();
    private String database;

    @BeforeEach
    void upstreamThatStallsOnRequest() throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getBody().readUtf8().contains("stall")) {
                    return new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE);
                }
                return new MockResponse().setHeader("Content-Type", "application/json").setBody(ANSWER);
            }
        });
        upstream.start(InetAddress.getByName("127.0.0.1"), 0);
        database = Storage.newPostgresDatabase();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Node node : nodes) {
            node.close();
        }
        upstream.shutdown();
        Storage.dropPostgresDatabase(database);
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // bounded: a stuck projection fails the test, not the build
    void twoNodesAreOneLedger_andTheSurvivorFinishesTheWorkOfAKilledNode() throws Exception {
        // given two nodes started at once on one fresh database, sharing the JWT key as an operator configures them
        String secret = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        Node a = start("a", secret);
        Node b = start("b", secret);
        a.awaitReady();
        b.awaitReady();
        Http[] both = {a.http, b.http};

        String admin = login(a.http, ADMIN_EMAIL, ADMIN_PASSWORD);
        String[] ids = new String[USERS];
        String[] tokens = new String[USERS];
        for (int u = 0; u < USERS; u++) {
            Http via = both[u % 2];
            String email = "user" + u + "@cluster.test";
            ids[u] = via.post("/api/auth/register", null, json("email", email, "password", "password-" + u))
                    .body().get("id").asText();
            tokens[u] = login(both[(u + 1) % 2], email, "password-" + u); // a token from one node works on the other
            Http.Answer deposit = via.post("/api/admin/credits/deposit", admin,
                    json("user_id", ids[u], "amount_usd", "10"));
            assertThat(deposit.status()).as("%s", deposit).isEqualTo(200);
        }
        long deposited = Money.parsePositiveUsd("10").nanos() * USERS;

        // and a node's cached account sees what the other node appended (ADR 18): node a holds user 0's account in
        // its cache since the deposit above; node b deposits 5 more; node a is asked to send more than the 10 it
        // had cached, which a stale cache would refuse as insufficient
        Http.Answer more = b.http.post("/api/admin/credits/deposit", admin, json("user_id", ids[0], "amount_usd", "5"));
        assertThat(more.status()).as("%s", more).isEqualTo(200);
        deposited += Money.parsePositiveUsd("5").nanos();
        Http.Answer spend = a.http.post("/api/credits/transfer", tokens[0],
                json("to", "user1@cluster.test", "amount_usd", "12"));
        assertThat(spend.status()).as("%s", spend).isEqualTo(200);
        assertThat(spend.body().get("balance_usd").asText()).isEqualTo("3");

        // when, from both nodes at once: transfers, metered chats, and idempotent deposits each sent three times
        AtomicLong charged = new AtomicLong();

        // and a price set through one node prices the next call on the other (ADR 28): node b has priced a call
        // already (its price book is loaded); node a sets 1 USD per million tokens; node b's next call pays it
        Http.Answer before = b.http.post("/api/ai/chat", tokens[1], chatBody("price me"));
        assertThat(before.body().get("cost_usd").asText()).as("%s", before).isEqualTo("0.00000782");
        Http.Answer priced = a.http.send("PUT", "/api/admin/prices/" + MODEL.replace("@", "%40").replace("/", "%2F"),
                admin, json("input_usd_per_m", "1", "output_usd_per_m", "1"), java.util.Map.of());
        assertThat(priced.status()).as("%s", priced).isEqualTo(200);
        Http.Answer after = b.http.post("/api/ai/chat", tokens[1], chatBody("price me again"));
        assertThat(after.body().get("cost_usd").asText()).as("%s", after).isEqualTo("0.00002");
        charged.addAndGet(Money.parsePositiveUsd("0.00000782").nanos() + Money.parsePositiveUsd("0.00002").nanos());
        // and a team's capped key, used from both nodes at once, never spends past its cap (ADR 32): the team is
        // created on node a, funded by user 3 through node b; its member's key is capped at a few calls
        String team = a.http.post("/api/teams", tokens[3], json("name", "cluster team")).body().get("id").asText();
        Http.Answer funded = b.http.post("/api/credits/transfer", tokens[3],
                json("to", "team:" + team, "amount_usd", "1"));
        assertThat(funded.status()).as("%s", funded).isEqualTo(200);
        charged.addAndGet(Money.parsePositiveUsd("1").nanos()); // it left the users' accounts for the team's
        String teamKey = b.http.post("/api/teams/" + team + "/api-keys", tokens[3],
                json("name", "capped", "spend_cap_usd", "0.0001")).body().get("key").asText();
        ExecutorService teamCalls = Executors.newFixedThreadPool(16);
        List<Future<Http.Answer>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Http via = both[i % 2];
            calls.add(teamCalls.submit(() -> via.post("/api/ai/chat", teamKey, chatBody("team call"))));
        }
        long teamSpent = 0;
        int teamOk = 0;
        for (Future<Http.Answer> call : calls) {
            Http.Answer answer = call.get(60, TimeUnit.SECONDS);
            if (answer.status() == 200) {
                teamOk++;
                teamSpent += Money.parsePositiveUsd(answer.body().get("cost_usd").asText()).nanos();
            } else {
                assertThat(answer.errorCode()).as("%s", answer).isEqualTo("budget_exceeded");
            }
        }
        teamCalls.shutdown();
        assertThat(teamOk).isPositive().isLessThan(16);
        assertThat(teamSpent).isLessThanOrEqualTo(Money.parsePositiveUsd("0.0001").nanos());
        JsonNode teamBalance = a.http.get("/api/teams/" + team + "/balance", tokens[3]).body();
        assertThat(Money.parseUsd(teamBalance.get("balance_usd").asText()).nanos())
                .isEqualTo(Money.parsePositiveUsd("1").nanos() - teamSpent);
        assertThat(teamBalance.get("held_usd").asText()).isEqualTo("0");

        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            work.add(pool.submit(() -> {
                Random random = new Random(thread);
                for (int i = 0; i < 20; i++) {
                    int from = random.nextInt(USERS);
                    int to = (from + 1 + random.nextInt(USERS - 1)) % USERS;
                    Http via = both[random.nextInt(2)];
                    if (random.nextInt(3) == 0) {
                        Http.Answer chat = via.post("/api/ai/chat", tokens[from], chatBody("tell me a story"));
                        if (chat.status() == 200) {
                            charged.addAndGet(Money.parsePositiveUsd(chat.body().get("cost_usd").asText()).nanos());
                        } else if (!"insufficient_funds".equals(chat.errorCode())) {
                            unexpected.add("chat " + chat);
                        }
                    } else {
                        String amount = (1 + random.nextInt(300)) / 100 + "." + (10 + random.nextInt(90));
                        Http.Answer sent = via.post("/api/credits/transfer", tokens[from],
                                json("to", ids[to], "amount_usd", amount));
                        if (sent.status() != 200 && !"insufficient_funds".equals(sent.errorCode())) {
                            unexpected.add("transfer " + sent);
                        }
                    }
                }
            }));
        }
        for (int k = 0; k < 10; k++) {
            int key = k;
            work.add(pool.submit(() -> {
                for (int attempt = 0; attempt < 3; attempt++) {
                    Http.Answer deposit = both[(key + attempt) % 2].post("/api/admin/credits/deposit", admin,
                            json("user_id", ids[key % USERS], "amount_usd", "1"),
                            Map.of("Idempotency-Key", "cluster-deposit-" + key));
                    if (deposit.status() != 200) {
                        unexpected.add("deposit " + deposit);
                    }
                }
            }));
        }
        for (Future<?> f : work) {
            f.get(180, TimeUnit.SECONDS);
        }
        deposited += Money.parsePositiveUsd("1").nanos() * 10;

        // then nothing but money refusals, money is conserved (each idempotent deposit counted once), nothing is
        // negative and the ledger check, run on the other node, is ok
        assertThat(unexpected).isEmpty();
        awaitUserBalancesSumTo(b.http, tokens, deposited - charged.get());
        assertThat(ledgerCheck(b.http, admin)).contains("\"ok\":true,\"problems\":[]");
        for (int k = 0; k < 10; k++) {
            JsonNode events = b.http.get("/api/admin/accounts/" + ids[k % USERS] + "/events", admin).body();
            int key = k;
            long applied = 0;
            for (JsonNode e : events) {
                if (e.get("type").asText().equals("CreditsDeposited")
                        && e.toString().contains("cluster-deposit-" + key + "\"")) {
                    applied++;
                }
            }
            assertThat(applied).as("deposit key %d applied once", key).isEqualTo(1);
        }

        // when a chat on node a is in flight (its provider never answers) and node a is killed while load continues
        Future<?> stalled = pool.submit(() -> a.http.post("/api/ai/chat", tokens[0], chatBody("stall, please")));
        awaitHeld(b.http, tokens[0], true);
        AtomicBoolean killed = new AtomicBoolean();
        ConcurrentLinkedQueue<String> survivorFailures = new ConcurrentLinkedQueue<>();
        List<Future<?>> load = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            load.add(pool.submit(() -> {
                Random random = new Random(100 + thread);
                for (int i = 0; i < 25; i++) {
                    int from = 1 + random.nextInt(USERS - 1);
                    int to = from % (USERS - 1) + 1;
                    Http via = killed.get() || random.nextBoolean() ? b.http : a.http;
                    try {
                        Http.Answer sent = via.post("/api/credits/transfer", tokens[from],
                                json("to", ids[to], "amount_usd", "0.01"));
                        if (via == b.http && sent.status() != 200 && !"insufficient_funds".equals(sent.errorCode())) {
                            survivorFailures.add(sent.toString());
                        }
                    } catch (IllegalStateException nodeGone) {
                        if (via == b.http) {
                            survivorFailures.add(nodeGone.toString());
                        }
                    }
                }
            }));
        }
        Thread.sleep(300);
        a.kill();
        killed.set(true);
        for (Future<?> f : load) {
            f.get(180, TimeUnit.SECONDS);
        }
        stalled.cancel(true);

        // then the survivor answered every request it was given, the dead node's hold expired by its deadline,
        // the survivor's processors took the segments over (its own history shows a transfer made after the kill),
        // and the ledger is whole
        assertThat(survivorFailures).isEmpty();
        assertThat(a.alive()).isFalse();
        awaitHeld(b.http, tokens[0], false);
        String marker = "after-the-kill";
        assertThat(b.http.post("/api/credits/transfer", tokens[1],
                json("to", ids[2], "amount_usd", "0.01", "note", marker)).status()).isEqualTo(200);
        awaitHistoryShows(b.http, tokens[2], marker);
        awaitUserBalancesSumTo(b.http, tokens, deposited - charged.get());
        assertThat(ledgerCheck(b.http, admin)).contains("\"ok\":true,\"problems\":[]");
        pool.shutdownNow();
    }

    private Node start(String name, String secret) {
        Path dataDir = Storage.tempDir();
        String url = Storage.postgres(database, dataDir).get("spring.datasource.url");
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "DATABASE_URL", url, "DATABASE_USERNAME", "postgres", "DATABASE_PASSWORD", "",
                "TOLLGATE_DATA_DIR", dataDir.toString(), "JWT_SECRET_KEY", secret,
                "TOLLGATE_ADMIN_EMAIL", ADMIN_EMAIL, "TOLLGATE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        environment.putAll(Map.of(
                "CLOUDFLARE_API_BASE", "http://127.0.0.1:" + upstream.getPort() + "/client/v4",
                "CLOUDFLARE_ACCOUNT_ID", "cluster", "CLOUDFLARE_API_KEY", "cluster-token",
                "TOLLGATE_HOLD_TIMEOUT_SECONDS", "10"));
        Node node = Node.start(name, environment,
                // A dead node's segments are free once its claims are this old; the default is 10 s.
                List.of("--axon.eventhandling.tokenstore.claim-timeout=4s", "--logging.level.root=WARN"));
        nodes.add(node);
        return node;
    }

    private static String chatBody(String prompt) {
        return "{\"model\":\"" + MODEL + "\",\"max_tokens\":32,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}";
    }

    private static String login(Http http, String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }

    private static String ledgerCheck(Http http, String admin) throws InterruptedException {
        String last = null;
        for (int i = 0; i < 60; i++) {
            Http.Answer check = http.get("/api/admin/ledger/check", admin);
            last = check.body().toString();
            if (check.body().path("ok").asBoolean()) {
                return last;
            }
            Thread.sleep(500);
        }
        return last;
    }

    private static void awaitUserBalancesSumTo(Http http, String[] tokens, long expected) throws InterruptedException {
        long sum = 0;
        for (int i = 0; i < 120; i++) {
            sum = 0;
            boolean anyNegative = false;
            boolean anyHeld = false;
            for (String token : tokens) {
                JsonNode balance = http.get("/api/credits/balance", token).body();
                long nanos = Money.parseUsd(balance.get("balance_usd").asText()).nanos();
                anyNegative |= nanos < 0;
                anyHeld |= !"0".equals(balance.get("held_usd").asText());
                sum += nanos;
            }
            assertThat(anyNegative).as("no balance is negative").isFalse();
            if (sum == expected && !anyHeld) {
                return;
            }
            Thread.sleep(250); // money in flight: a transfer's credit lands through the transfer process
        }
        assertThat(sum).as("sum of user balances (nano-USD)").isEqualTo(expected);
    }

    private static void awaitHeld(Http http, String token, boolean held) throws InterruptedException {
        String last = null;
        for (int i = 0; i < 400; i++) {
            last = http.get("/api/credits/balance", token).body().get("held_usd").asText();
            if (held != "0".equals(last)) {
                return;
            }
            Thread.sleep(100);
        }
        assertThat(last).as(held ? "a hold is placed" : "the hold is released").matches(held ? "(?!0$).*" : "0");
    }

    private static void awaitHistoryShows(Http http, String token, String note) throws InterruptedException {
        for (int i = 0; i < 120; i++) {
            if (http.get("/api/credits/transactions?limit=5", token).raw().contains(note)) {
                return;
            }
            Thread.sleep(250);
        }
        assertThat(http.get("/api/credits/transactions?limit=5", token).raw()).contains(note);
    }
}
