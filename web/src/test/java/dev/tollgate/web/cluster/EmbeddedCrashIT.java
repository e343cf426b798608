package dev.tollgate.web.cluster;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.Storage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The embedded default killed (SIGKILL) while deposits are answered: every deposit it answered is there after the
 * restart, once. H2 writes a commit to its file half a second later unless told otherwise; a ledger that answers
 * "done" must not lose what it answered.
 */
class EmbeddedCrashIT {
    private static final String ADMIN_EMAIL = "admin@crash.test";
    private static final String ADMIN_PASSWORD = "crash-admin-password";

    @Test
    void everyDepositAnsweredBeforeACrashIsThereOnceAfterTheRestart() throws Exception {
        // given the embedded default, and four clients depositing one dollar each, each with a key of its own
        Path dataDir = Storage.tempDir();
        Map<String, String> environment = Map.of("TOLLGATE_DATA_DIR", dataDir.toString(),
                "JWT_SECRET_KEY", "crash-test-secret-crash-test-secret-0123456789",
                "TOLLGATE_ADMIN_EMAIL", ADMIN_EMAIL, "TOLLGATE_ADMIN_PASSWORD", ADMIN_PASSWORD);
        List<String> quiet = List.of("--logging.level.root=WARN");
        Map<String, String> answered = new ConcurrentHashMap<>();
        try (Node node = Node.start("crash", environment, quiet).awaitReady()) {
            String admin = login(node.http, ADMIN_EMAIL, ADMIN_PASSWORD);
            node.http.post("/api/auth/register", null, json("email", "saver@crash.test", "password", "saver-pass"));
            ExecutorService clients = Executors.newFixedThreadPool(4);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            AtomicInteger sent = new AtomicInteger();
            for (int c = 0; c < 4; c++) {
                clients.submit(() -> {
                    while (System.nanoTime() < until) {
                        String key = "crash-" + sent.incrementAndGet();
                        Http.Answer deposit = node.http.post("/api/admin/credits/deposit", admin,
                                json("user_id", "saver@crash.test", "amount_usd", "1"), Map.of("Idempotency-Key", key));
                        if (deposit.status() == 200) {
                            answered.put(key, deposit.body().get("transaction_id").asText());
                        }
                    }
                });
            }
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

            // when the process is killed at once after the last answer
            node.kill();
        }

        // then, restarted on the same files, the balance counts every answered deposit, and a retry of each is
        // answered with its first transaction, not booked again
        try (Node node = Node.start("crash-restarted", environment, quiet).awaitReady()) {
            String admin = login(node.http, ADMIN_EMAIL, ADMIN_PASSWORD);
            String saver = login(node.http, "saver@crash.test", "saver-pass");
            assertThat(answered).isNotEmpty();
            assertThat(node.http.get("/api/credits/balance", saver).body().get("balance_usd").asText())
                    .isEqualTo(Integer.toString(answered.size()));
            answered.forEach((key, transaction) -> {
                Http.Answer retry = node.http.post("/api/admin/credits/deposit", admin,
                        json("user_id", "saver@crash.test", "amount_usd", "1"), Map.of("Idempotency-Key", key));
                assertThat(retry.body().get("transaction_id").asText()).as(key).isEqualTo(transaction);
            });
        }
    }

    private static String login(Http http, String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }
}
