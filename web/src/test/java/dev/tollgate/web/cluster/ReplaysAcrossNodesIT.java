package dev.tollgate.web.cluster;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.Storage;
import dev.tollgate.web.ops.Projections;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two Tollgate processes on one PostgreSQL (ADR 18) answer for the read models as one (ADR 46): both report the same
 * position and status for each read model, whichever holds its token; a replay asked of the node that does not hold
 * the token is carried out by the node that does, and rebuilds the read model exactly; and a replay asked while the
 * token's holder is dead is carried out by the survivor once the dead node's claim has lapsed. The three read models
 * share one processor (ADR 51), so they have one owner, and a replay of any of them rebuilds all three.
 */
class ReplaysAcrossNodesIT {
    private static final String ADMIN_EMAIL = "admin@replays.test";
    private static final String ADMIN_PASSWORD = "replays-admin-password";
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String ANSWER = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":16,"
            + "\"completion_tokens\":4,\"total_tokens\":20}},\"success\":true,\"errors\":[],\"messages\":[]}";
    private static final List<String> READ_MODELS = List.of("balances", "history", "usage");
    /** What each replay would have to repair: a visible change to every read model's rows. */
    private static final Map<String, String> TAMPER = Map.of(
            "balances", "UPDATE account_balance SET balance_nanos = balance_nanos + 1",
            "history", "UPDATE ledger_entry SET description = 'tampered'",
            "usage", "UPDATE usage_call SET cost_nanos = cost_nanos + 1");

    private final MockWebServer upstream = new MockWebServer();
    private final List<Node> nodes = new ArrayList<>();
    private String database;
    private String url;

    @BeforeEach
    void upstreamAndDatabase() throws Exception {
        upstream.setDispatcher(new okhttp3.mockwebserver.Dispatcher() {
            @Override
            public MockResponse dispatch(okhttp3.mockwebserver.RecordedRequest request) {
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
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // bounded: every wait below has its own deadline too
    void bothNodesReportTheSharedReadModels_andAReplayAskedOfEitherNodeRuns() throws Exception {
        // given two nodes on one fresh database, and a history written through both: deposits, transfers, chats
        String secret = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        Node a = start("a", secret);
        Node b = start("b", secret);
        a.awaitReady();
        b.awaitReady();
        Http[] both = {a.http, b.http};
        String admin = login(a.http, ADMIN_EMAIL, ADMIN_PASSWORD);
        String[] ids = new String[4];
        String[] tokens = new String[4];
        for (int u = 0; u < ids.length; u++) {
            Http via = both[u % 2];
            String email = "user" + u + "@replays.test";
            ids[u] = via.post("/api/auth/register", null, json("email", email, "password", "password-" + u))
                    .body().get("id").asText();
            tokens[u] = login(via, email, "password-" + u);
            assertThat(via.post("/api/admin/credits/deposit", admin, json("user_id", ids[u], "amount_usd", "10"))
                    .status()).isEqualTo(200);
        }
        for (int i = 0; i < 12; i++) {
            Http via = both[i % 2];
            Http.Answer sent = via.post("/api/credits/transfer", tokens[i % 4],
                    json("to", ids[(i + 1) % 4], "amount_usd", "0." + (10 + i), "note", "transfer " + i));
            assertThat(sent.status()).as("%s", sent).isEqualTo(200);
            Http.Answer chat = via.post("/api/ai/chat", tokens[(i + 2) % 4], chatBody("chat " + i));
            assertThat(chat.status()).as("%s", chat).isEqualTo(200);
        }

        // when both nodes are asked about the read models once they have caught up
        Map<String, String> owners = awaitBothReportTheSame(a, b, admin);

        // then each read model has one owner among the two nodes, and the node that does not own it reports the
        // same position, head and status as the owner (not "catching_up" with no position), in its health too
        for (String group : READ_MODELS) {
            assertThat(a.owns(owners.get(group)) || b.owns(owners.get(group))).as(group + " owner").isTrue();
        }
        for (Node node : List.of(a, b)) {
            JsonNode health = node.http.get("/actuator/health", null).body().path("components").path("projections");
            for (String group : READ_MODELS) {
                assertThat(health.path("details").path(group).path("status").asText()).as(node.name + " " + group)
                        .isEqualTo("caught_up");
                assertThat(health.path("details").path(group).path("lag").asLong(-1)).isZero();
            }
        }
        Map<String, List<String>> live = readModels();

        // when every read model is made visibly wrong and its replay is asked of the node that does not own it
        for (String group : READ_MODELS) {
            update(TAMPER.get(group));
        }
        assertThat(readModels()).isNotEqualTo(live);
        for (String group : READ_MODELS) {
            Node other = a.owns(owners.get(group)) ? b : a;
            Http.Answer accepted = other.http.post("/api/admin/projections/" + group + "/replay", admin, "{}");
            assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
        }

        // then each replay was carried out by the owner, every read model is rebuilt row for row, both nodes
        // report it caught up at the same position, and no node logged a replay that failed to start
        awaitCarriedOut(READ_MODELS);
        for (String group : READ_MODELS) {
            Node owner = a.owns(owners.get(group)) ? a : b;
            // (the read models share one processor, ADR 51: a request is recorded under its name)
            assertThat(owner.owns(query("SELECT carried_out_on FROM projection_replay WHERE processor_name = '"
                    + Projections.READ_MODELS + "'"))).as(group + " carried out by its owner").isTrue();
        }
        Map<String, String> ownersAfter = awaitBothReportTheSame(a, b, admin);
        assertThat(ownersAfter).isEqualTo(owners);
        assertThat(readModels()).isEqualTo(live);
        // (Two nodes started together on an empty database may both try to create a process's first token; Axon
        // tells the loser "Could not initialize segments" and it claims the winner's a second later: not a replay's.)
        assertThat(a.log() + b.log()).doesNotContain("failed to start")
                .doesNotContainPattern("UnableToClaimTokenException: (?!Could not initialize segments)");

        // when the owner of history is killed and a replay of history is asked of the survivor at once, while the
        // dead node's claim on the token is still live
        Node dead = a.owns(owners.get("history")) ? a : b;
        Node survivor = dead == a ? b : a;
        dead.kill();
        update(TAMPER.get("history"));
        Http.Answer accepted = survivor.http.post("/api/admin/projections/history/replay", admin, "{}");
        assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);

        // then the survivor carries it out once the claim has lapsed, and history is rebuilt row for row
        awaitCarriedOut(List.of("history"));
        assertThat(survivor.owns(query("SELECT carried_out_on FROM projection_replay WHERE processor_name = '"
                + Projections.READ_MODELS + "'"))).isTrue();
        awaitCaughtUpOn(survivor, admin);
        assertThat(readModels()).isEqualTo(live);
        assertThat(survivor.log()).doesNotContain("failed to start");
    }

    /**
     * Waits (bounded) until both nodes report every read model caught up at the head, with the same position and
     * owner, and returns each read model's owner.
     */
    private static Map<String, String> awaitBothReportTheSame(Node a, Node b, String admin)
            throws InterruptedException {
        Map<String, JsonNode> onA = Map.of();
        Map<String, JsonNode> onB = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, JsonNode> x0 = projections(a.http, admin);
            onA = x0;
            onB = projections(b.http, admin);
            boolean same = true;
            for (String group : READ_MODELS) {
                JsonNode x = onA.get(group);
                JsonNode y = onB.get(group);
                same &= "caught_up".equals(x.path("status").asText()) && !x.path("position").isNull()
                        && x.path("position").equals(x.path("head")) && !x.path("owner").isNull()
                        && x.path("position").equals(y.path("position")) && x.path("head").equals(y.path("head"))
                        && x.path("status").equals(y.path("status")) && x.path("owner").equals(y.path("owner"));
            }
            if (same) {
                Map<String, String> owners = new TreeMap<>();
                READ_MODELS.forEach(group -> owners.put(group, x0.get(group).path("owner").asText()));
                return owners;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the nodes do not report the same caught-up read models:\na: " + onA + "\nb: " + onB);
    }

    private static void awaitCaughtUpOn(Node node, String admin) throws InterruptedException {
        Map<String, JsonNode> last = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, JsonNode> now = projections(node.http, admin);
            last = now;
            if (READ_MODELS.stream().allMatch(g -> "caught_up".equals(now.get(g).path("status").asText())
                    && node.owns(now.get(g).path("owner").asText()))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(node.name + " did not take over and catch up: " + last);
    }

    private void awaitCarriedOut(List<String> groups) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String pending = null;
        while (System.nanoTime() < deadline) {
            pending = query("SELECT STRING_AGG(processor_name, ',') FROM projection_replay "
                    + "WHERE requested > carried_out");
            if (pending == null) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("replays still pending: " + pending + " of " + groups);
    }

    private static Map<String, JsonNode> projections(Http http, String admin) {
        Http.Answer answer = http.get("/api/admin/projections", admin);
        assertThat(answer.status()).as("%s", answer).isEqualTo(200);
        Map<String, JsonNode> byName = new HashMap<>();
        answer.body().forEach(p -> byName.put(p.get("name").asText(), p));
        return byName;
    }

    /** Every row of every read model, in a stable order: the rows a replay must give back exactly. */
    private Map<String, List<String>> readModels() throws SQLException {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        tables.put("account_balance", rows("SELECT * FROM account_balance ORDER BY account_id"));
        tables.put("ledger_entry", rows("SELECT * FROM ledger_entry ORDER BY id"));
        tables.put("history_position", rows("SELECT * FROM history_position ORDER BY account_id"));
        tables.put("usage_call", rows("SELECT * FROM usage_call ORDER BY hold_id"));
        return tables;
    }

    private List<String> rows(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append(' ');
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private String query(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private void update(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(sql)).as(sql).isPositive();
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    private Node start(String name, String secret) {
        Path dataDir = Storage.tempDir();
        url = Storage.postgres(database, dataDir).get("spring.datasource.url");
        Map<String, String> environment = new HashMap<>(Map.of(
                "DATABASE_URL", url, "DATABASE_USERNAME", "postgres", "DATABASE_PASSWORD", "",
                "TOLLGATE_DATA_DIR", dataDir.toString(), "JWT_SECRET_KEY", secret,
                "TOLLGATE_ADMIN_EMAIL", ADMIN_EMAIL, "TOLLGATE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        environment.putAll(Map.of(
                "CLOUDFLARE_API_BASE", "http://127.0.0.1:" + upstream.getPort() + "/client/v4",
                "CLOUDFLARE_ACCOUNT_ID", "replays", "CLOUDFLARE_API_KEY", "replays-token"));
        // Replays log at INFO (requested, started, left to another node): the test reads them.
        Node node = Node.start(name, environment, List.of("--axon.eventhandling.tokenstore.claim-timeout=4s",
                "--logging.level.root=WARN", "--logging.level.dev.tollgate.web.ops=INFO"));
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
}
