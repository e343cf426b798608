package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.axonframework.config.EventProcessingConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On the embedded default the read models commit without waiting for the store's write and pause after each batch
 * (ADR 62). A reader still waits for the read models to reach what it wrote, so nobody sees the pause as a stale
 * answer.
 */
class ReadModelsOnTheEmbeddedDefaultTest {
    @TempDir
    Path data;

    @Test
    void theReadModelsCommitWithoutWaitingAndEachDepositIsInTheHistoryReadRightAfterIt() {
        try (RunningTollgate tollgate = RunningTollgate.start(Storage.embedded(data))) {
            // given the embedded default, whose read models commit through their own transactions
            EventProcessingConfiguration processing = tollgate.bean(EventProcessingConfiguration.class);
            assertThat(processing.transactionManager("read-models").getClass().getSimpleName())
                    .isEqualTo("ReadModelCommits");
            // (it wraps the transactions every other processor has: the rows and the token commit together)
            assertThat(processing.transactionManager("transfer-process").getClass().getSimpleName())
                    .isEqualTo("SpringTransactionManager");
            Http http = tollgate.http;
            String admin = http.post("/api/auth/login", null, json("email", RunningTollgate.ADMIN_EMAIL,
                    "password", RunningTollgate.ADMIN_PASSWORD)).body().path("access_token").asText();
            String user = http.post("/api/auth/register", null,
                    json("email", "reads-own-writes@example.test", "password", "a-long-password")).body().path("id")
                    .asText();
            String token = http.post("/api/auth/login", null,
                    json("email", "reads-own-writes@example.test", "password", "a-long-password")).body()
                    .path("access_token").asText();

            for (int i = 1; i <= 40; i++) {
                // when a deposit is answered
                assertThat(http.post("/api/admin/credits/deposit", admin,
                        json("user_id", user, "amount_usd", "0.01")).status()).isEqualTo(200);

                // then the history read at once already holds it, with the balance it left
                JsonNode newest = http.get("/api/credits/transactions?limit=1", token).body().path("items").path(0);
                assertThat(newest.path("type").asText()).isEqualTo("deposit");
                assertThat(newest.path("balance_after_usd").asText())
                        .isEqualTo(String.format("0.%02d", i).replaceAll("0$", ""));
            }
            assertThat(http.get("/api/admin/ledger/check", admin).body().path("ok").asBoolean()).isTrue();
        }
    }
}
