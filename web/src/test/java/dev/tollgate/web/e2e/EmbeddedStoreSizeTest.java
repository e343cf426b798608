package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.web.config.EmbeddedStoreHousekeeping;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default writes a chunk per commit (ADR 56), so most of what it writes is dead a moment later. Its
 * file must hold little more than what is alive (ADR 57): without housekeeping, partly dead chunks were kept for
 * good and the file grew to ten times the data.
 */
class EmbeddedStoreSizeTest {
    @TempDir
    Path data;

    @Test
    void chunksLeftMostlyDeadByManyCommitsAreRewrittenWhileTheLedgerRuns() throws Exception {
        try (RunningTollgate tollgate = RunningTollgate.start(Storage.embedded(data))) {
            // given a ledger that committed a few hundred times
            String admin = tollgate.http.post("/api/auth/login", null, json("email", RunningTollgate.ADMIN_EMAIL,
                    "password", RunningTollgate.ADMIN_PASSWORD)).body().path("access_token").asText();
            String user = tollgate.http.post("/api/auth/register", null,
                    json("email", "many-commits@example.test", "password", "a-long-password")).body().path("id").asText();
            for (int i = 0; i < 300; i++) {
                assertThat(tollgate.http.post("/api/admin/credits/deposit", admin,
                        json("user_id", user, "amount_usd", "0.01")).status()).isEqualTo(200);
            }
            MVStore store = EmbeddedStoreHousekeeping.storeOf(tollgate.bean(DataSource.class));
            assertThat(store).isNotNull();
            assertThat(store.getRetentionTime()).isEqualTo(EmbeddedStoreHousekeeping.RETENTION_MS);

            // when the housekeeping has had a few rounds, then the chunks kept are mostly alive
            int fillRate = store.getFileStore().getChunksFillRate();
            for (int round = 0; round < 60 && fillRate < 50; round++) {
                Thread.sleep(500);
                fillRate = store.getFileStore().getChunksFillRate();
            }
            assertThat(fillRate).as("live share of the chunks kept in the file, %").isGreaterThanOrEqualTo(50);
            assertThat(tollgate.http.get("/api/admin/ledger/check", admin).body().path("ok").asBoolean()).isTrue();
        }
    }
}
