package dev.tollgate.web.faults;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.e2e.Http;
import dev.tollgate.web.e2e.RunningTollgate;
import dev.tollgate.web.e2e.Storage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PostgreSQL goes away under load (every connection cut, new ones refused, as during a restart) and comes back:
 * while it is away requests fail cleanly (503 storage_unavailable, Retry-After, the one error shape, nothing
 * internal), and afterwards the ledger serves again, conserves money and its check is ok.
 */
class DatabaseOutageTest {
    private static final int USERS = 3;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // bounded: a stuck projection fails the test, not the build
    void requestsFailCleanlyWhileTheDatabaseIsAway_andTheLedgerIsWholeAfterwards() throws Exception {
        String database = Storage.newPostgresDatabase();
        Map<String, String> properties = new HashMap<>(Storage.postgres(database, Storage.tempDir()));
        Matcher url = Pattern.compile("//([^/:]+):(\\d+)/").matcher(properties.get("spring.datasource.url"));
        assertThat(url.find()).isTrue();
        try (CuttableProxy proxy = new CuttableProxy(Integer.parseInt(url.group(2)))) {
            properties.put("spring.datasource.url",
                    url.replaceFirst("//127.0.0.1:" + proxy.port() + "/"));
            properties.put("spring.datasource.hikari.connection-timeout", "2000");
            try (RunningTollgate app = RunningTollgate.start(properties)) {
                // given three funded users
                Http http = app.http;
                String admin = login(http, RunningTollgate.ADMIN_EMAIL, RunningTollgate.ADMIN_PASSWORD);
                String[] ids = new String[USERS];
                String[] tokens = new String[USERS];
                for (int u = 0; u < USERS; u++) {
                    String email = "outage" + u + "@example.com";
                    ids[u] = http.post("/api/auth/register", null, json("email", email, "password", "password-" + u))
                            .body().get("id").asText();
                    tokens[u] = login(http, email, "password-" + u);
                    http.post("/api/admin/credits/deposit", admin, json("user_id", ids[u], "amount_usd", "100"));
                }

                // when transfers keep coming while the database is cut away for four seconds and then restored
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger refusedWhileAway = new AtomicInteger();
                AtomicInteger okAfterwards = new AtomicInteger();
                AtomicBoolean restored = new AtomicBoolean();
                ConcurrentLinkedQueue<String> unclean = new ConcurrentLinkedQueue<>();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                List<Future<?>> load = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    load.add(pool.submit(() -> {
                        Random random = new Random(thread);
                        while (!stop.get()) {
                            int from = random.nextInt(USERS);
                            int to = (from + 1 + random.nextInt(USERS - 1)) % USERS;
                            Http.Answer sent = http.post("/api/credits/transfer", tokens[from],
                                    json("to", ids[to], "amount_usd", "0.0" + (1 + random.nextInt(9))));
                            if (sent.status() == 503 && "storage_unavailable".equals(sent.errorCode())
                                    && sent.response().headers().firstValue("Retry-After").isPresent()) {
                                refusedWhileAway.incrementAndGet();
                            } else if (sent.status() == 200 || "insufficient_funds".equals(sent.errorCode())) {
                                if (restored.get()) {
                                    okAfterwards.incrementAndGet();
                                }
                            } else {
                                unclean.add(sent.toString());
                            }
                            if (sent.raw().matches("(?s).*(SQL|Exception|org\\.|java\\.|\\tat ).*")) {
                                unclean.add("leaks internals: " + sent.raw());
                            }
                        }
                    }));
                }
                Thread.sleep(1500);
                proxy.cut();
                // a request made while the database is away is refused cleanly (bounded by the pool's 2 s wait)
                Http.Answer whileAway = null;
                for (int i = 0; i < 10; i++) {
                    whileAway = http.post("/api/credits/transfer", tokens[0], json("to", ids[1], "amount_usd", "0.01"));
                    if (whileAway.status() == 503) {
                        break;
                    }
                }
                Thread.sleep(1000);
                proxy.restore();
                restored.set(true);
                for (int i = 0; i < 200 && okAfterwards.get() < 20; i++) {
                    Thread.sleep(100);
                }
                stop.set(true);
                for (Future<?> f : load) {
                    f.get(120, TimeUnit.SECONDS);
                }
                pool.shutdown();

                // then every answer was clean, the outage was seen, the ledger serves again and is whole
                assertThat(unclean).isEmpty();
                assertThat(whileAway.status()).as("%s", whileAway).isEqualTo(503);
                assertThat(whileAway.errorCode()).isEqualTo("storage_unavailable");
                assertThat(whileAway.response().headers().firstValue("Retry-After")).isPresent();
                assertThat(okAfterwards.get()).as("transfers that succeeded after the restore").isGreaterThanOrEqualTo(20);
                long expected = Money.parsePositiveUsd("100").nanos() * USERS;
                awaitBalancesSumTo(http, tokens, expected);
                JsonNode check = null;
                for (int i = 0; i < 60; i++) {
                    check = http.get("/api/admin/ledger/check", admin).body();
                    if (check.path("ok").asBoolean()) {
                        break;
                    }
                    Thread.sleep(500);
                }
                assertThat(check.path("ok").asBoolean()).as("%s", check).isTrue();
            }
        } finally {
            Storage.dropPostgresDatabase(database);
        }
    }

    private static String login(Http http, String email, String password) {
        return http.post("/api/auth/login", null, json("email", email, "password", password))
                .body().get("access_token").asText();
    }

    private static void awaitBalancesSumTo(Http http, String[] tokens, long expected) throws InterruptedException {
        long sum = 0;
        for (int i = 0; i < 120; i++) {
            sum = 0;
            for (String token : tokens) {
                long nanos = Money.parseUsd(http.get("/api/credits/balance", token).body().get("balance_usd").asText())
                        .nanos();
                assertThat(nanos).as("no balance is negative").isNotNegative();
                sum += nanos;
            }
            if (sum == expected) {
                return;
            }
            Thread.sleep(250); // a transfer's credit may still be on its way through the transfer process
        }
        assertThat(sum).isEqualTo(expected);
    }
}
