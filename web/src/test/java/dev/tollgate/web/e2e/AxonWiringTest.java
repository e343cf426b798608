package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The Axon settings that a ledger depends on, checked on the running application over PostgreSQL: no phoning
 * home, Jackson everywhere, BYTEA payloads, working snapshots, and no secret in the event store.
 */
class AxonWiringTest {

    @Test
    void theRunningLedgerIsWiredForExactnessAndKeepsNoSecretsInItsEvents() {
        String database = Storage.newPostgresDatabase();
        java.util.Map<String, String> properties = new java.util.HashMap<>(Storage.postgres(database, Storage.tempDir()));
        properties.put("tollgate.snapshot-every", "100");
        try (RunningTollgate app = RunningTollgate.start(properties)) {
            // Given a user with an API key and a busy history (enough events for snapshots)
            Http http = app.http;
            String password = "a-secret-password-9";
            String id = http.post("/api/auth/register", null, json("email", "wired@example.com", "password", password))
                    .body().get("id").asText();
            String userToken = http.post("/api/auth/login", null, json("email", "wired@example.com", "password", password))
                    .body().get("access_token").asText();
            Http.Answer created = http.post("/api/auth/api-keys", userToken, json("name", "k"));
            String apiKey = created.body().get("key").asText();
            // The secret part follows the visible prefix and its separator.
            String apiKeySecret = apiKey.substring(created.body().get("prefix").asText().length() + 1);
            String admin = http.post("/api/auth/login", null,
                    json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                    .body().get("access_token").asText();
            for (int i = 0; i < 230; i++) {
                http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "0.01"));
            }
            JdbcTemplate jdbc = app.bean(JdbcTemplate.class);

            // Then the update checker is not even a bean, and every serializer is Jackson
            assertThat(app.beanNames("updateChecker")).isEmpty();
            assertThat(app.beanNames(Serializer.class)).allSatisfy(
                    name -> assertThat(app.bean(name)).isInstanceOf(JacksonSerializer.class));

            // And the handlers that react inside a command share one subscribing processor, the read models one
            // tracking processor (ADR 51)
            org.axonframework.config.EventProcessingConfiguration processing =
                    app.bean(org.axonframework.config.EventProcessingConfiguration.class);
            assertThat(processing.eventProcessors().keySet()).contains("in-the-command", "read-models",
                    "transfer-process").doesNotContain("transfer-outcomes", "rate-limits", "metrics",
                    "budget-alerts", "balances", "history", "usage");
            assertThat(processing.eventProcessor("read-models")).get()
                    .isInstanceOf(org.axonframework.eventhandling.TrackingEventProcessor.class);
            assertThat(processing.eventProcessor("in-the-command")).get()
                    .isInstanceOf(org.axonframework.eventhandling.SubscribingEventProcessor.class);
            // and, on PostgreSQL, the read models' commits are Spring's, each waiting for the WAL (ADR 62 is the
            // embedded default's)
            assertThat(processing.transactionManager("read-models").getClass().getSimpleName())
                    .isNotEqualTo("ReadModelCommits");

            // And the driver sends a read model's batch as multi-row inserts (ADR 21)
            assertThat(app.bean(com.zaxxer.hikari.HikariDataSource.class).getDataSourceProperties())
                    .containsEntry("reWriteBatchedInserts", "true");

            // And payloads are BYTEA, not large objects
            List<String> types = jdbc.queryForList("SELECT data_type FROM information_schema.columns "
                    + "WHERE table_name IN ('domainevententry', 'snapshotevententry', 'tokenentry', 'sagaentry') "
                    + "AND column_name IN ('payload', 'metadata', 'token', 'serializedsaga')", String.class);
            assertThat(types).isNotEmpty().containsOnly("bytea");

            // And snapshots were taken and the account still answers exactly
            Integer snapshots = jdbc.queryForObject("SELECT COUNT(*) FROM snapshotevententry WHERE aggregateidentifier = ?",
                    Integer.class, id);
            assertThat(snapshots).isPositive();
            assertThat(http.get("/api/credits/balance", userToken).body().get("balance_usd").asText()).isEqualTo("2.3");

            // And an account opened by an older release (AccountOpened revision 1, no kind) still works: the
            // upcaster reads it as revision 2, and the stored row stays as it was written
            jdbc.update("INSERT INTO DomainEventEntry (aggregateIdentifier, sequenceNumber, type, eventIdentifier, "
                    + "metaData, payload, payloadRevision, payloadType, timeStamp) VALUES (?, 0, 'UserAccount', ?, ?, ?, '1', ?, ?)",
                    "legacy-account", java.util.UUID.randomUUID().toString(), "{}".getBytes(),
                    "{\"accountId\":{\"value\":\"legacy-account\"},\"at\":\"2026-01-01T00:00:00Z\"}".getBytes(),
                    "dev.tollgate.api.account.AccountOpened", "2026-01-01T00:00:00Z");
            dev.tollgate.web.ledger.Ledger ledger = app.bean(dev.tollgate.web.ledger.Ledger.class);
            assertThat(ledger.deposit(dev.tollgate.api.account.AccountId.of("legacy-account"),
                    dev.tollgate.api.money.Money.ofUsd(3), "legacy", "test", null).balanceAfter())
                    .isEqualTo(dev.tollgate.api.money.Money.ofUsd(3));
            assertThat(jdbc.queryForObject("SELECT payloadRevision FROM DomainEventEntry WHERE aggregateIdentifier = "
                    + "'legacy-account' AND sequenceNumber = 0", String.class)).isEqualTo("1");

            // And neither the password, its hash, the JWT nor the API key is anywhere in the event store
            String hash = jdbc.queryForObject("SELECT password_hash FROM users WHERE id = ?", String.class, id);
            List<Map<String, Object>> rows = jdbc.queryForList(
                    "SELECT convert_from(payload, 'UTF8') AS p, convert_from(metadata, 'UTF8') AS m FROM domainevententry");
            assertThat(rows).isNotEmpty().allSatisfy(row -> assertThat(row.get("p") + " " + row.get("m"))
                    .doesNotContain(password, hash, userToken, apiKey, apiKeySecret));
        } finally {
            Storage.dropPostgresDatabase(database);
        }
    }
}
