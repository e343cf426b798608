package dev.tollgate.bench;

import static dev.tollgate.web.e2e.Http.json;

import dev.tollgate.web.cluster.Node;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.Storage;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * bench/cluster: HTTP transfers on one Tollgate node, then the same load spread over two nodes on the same
 * PostgreSQL database, in one run. Nodes are processes started from web/target/tollgate.jar, as in production.
 * Prints one table and the ratio two nodes / one node.
 */
public final class ClusterBench {
    private static final int THREADS = Integer.getInteger("bench.threads", 32);
    private static final int TRANSFERS = Integer.getInteger("bench.cluster", 3_000);
    private static final int USERS = 40;
    private static final String ADMIN_EMAIL = "admin@bench.test";
    private static final String ADMIN_PASSWORD = "bench-admin-password";

    public record Row(String setup, int transfers, double perSecond, double p50, double p99, int failures) {
    }

    public static void main(String[] args) throws Exception {
        List<Row> rows = run();
        print(rows);
        System.exit(0);
    }

    static void print(List<Row> rows) {
        System.out.printf("%n%-28s %9s %12s %10s %10s%n", "setup (HTTP transfers)", "transfers", "transfers/s",
                "p50 ms", "p99 ms");
        for (Row r : rows) {
            System.out.printf("%-28s %9d %12.0f %10.2f %10.2f%n", r.setup, r.transfers, r.perSecond, r.p50, r.p99);
        }
        System.out.printf("two nodes / one node: %.2f (%d client threads, %d cores shared by client, nodes and "
                + "PostgreSQL)%n", rows.get(1).perSecond / rows.get(0).perSecond, THREADS,
                Runtime.getRuntime().availableProcessors());
    }

    public static List<Row> run() throws Exception {
        String database = Storage.newPostgresDatabase();
        String secret = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
        List<Node> nodes = new ArrayList<>();
        try {
            Node a = start(database, secret, "a");
            nodes.add(a);
            a.awaitReady();
            List<String[]> users = users(a.http);
            Row one = load("one node", new Http[] {a.http}, users);
            Node b = start(database, secret, "b");
            nodes.add(b);
            b.awaitReady();
            Row two = load("two nodes, one PostgreSQL", new Http[] {a.http, b.http}, users);
            return List.of(one, two);
        } finally {
            for (Node node : nodes) {
                node.close();
            }
            Storage.dropPostgresDatabase(database);
        }
    }

    private static Node start(String database, String secret, String name) {
        Path dataDir = Storage.tempDir();
        Map<String, String> environment = new HashMap<>(Map.of(
                "DATABASE_URL", Storage.postgres(database, dataDir).get("spring.datasource.url"),
                "DATABASE_USERNAME", "postgres", "DATABASE_PASSWORD", "", "TOLLGATE_DATA_DIR", dataDir.toString(),
                "JWT_SECRET_KEY", secret, "TOLLGATE_ADMIN_EMAIL", ADMIN_EMAIL,
                "TOLLGATE_ADMIN_PASSWORD", ADMIN_PASSWORD));
        return Node.start(name, environment, List.of("--logging.level.root=WARN"));
    }

    /** Each user: {email, token}. Funded generously: the benchmark measures transfers, not refusals. */
    private static List<String[]> users(Http http) {
        String admin = http.post("/api/auth/login", null, json("email", ADMIN_EMAIL, "password", ADMIN_PASSWORD))
                .body().get("access_token").asText();
        List<String[]> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            String email = "cluster-bench-" + i + "@example.com";
            String id = http.post("/api/auth/register", null, json("email", email, "password", "bench-password"))
                    .body().get("id").asText();
            http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1000000"));
            users.add(new String[] {email, http.post("/api/auth/login", null,
                    json("email", email, "password", "bench-password")).body().get("access_token").asText()});
        }
        return users;
    }

    private static Row load(String setup, Http[] nodes, List<String[]> users) throws Exception {
        Load.run(THREADS, 300, random -> transfer(nodes, users, random)); // warm-up
        Load.Measured m = Load.run(THREADS, TRANSFERS, random -> transfer(nodes, users, random));
        return new Row(setup, TRANSFERS, m.perSecond(), m.p50(), m.p99(), m.failures());
    }

    private static boolean transfer(Http[] nodes, List<String[]> users, java.util.Random random) {
        int from = random.nextInt(users.size());
        int to = (from + 1 + random.nextInt(users.size() - 1)) % users.size();
        Http.Answer answer = nodes[random.nextInt(nodes.length)].post("/api/credits/transfer", users.get(from)[1],
                json("to", users.get(to)[0], "amount_usd", "0.001"));
        return answer.status() == 200;
    }

    private ClusterBench() {
    }
}
