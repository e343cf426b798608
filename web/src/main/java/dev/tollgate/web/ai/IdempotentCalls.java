package dev.tollgate.web.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.IdempotencyKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes a metered call happen once per idempotency key: the first request claims the key (a unique row), calls,
 * and stores its answer; a retry with the same body gets that answer without a second upstream call or charge,
 * waiting if the first is still running; the same key with another body is a conflict. A failed call gives its
 * key back (nothing was charged), so the client's retry really retries.
 */
@Component
public class IdempotentCalls {
    private static final long WAIT_MILLIS = 120_000;

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final Clock clock;

    public IdempotentCalls(JdbcTemplate jdbc, ObjectMapper mapper, Clock clock) {
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.clock = clock;
    }

    /** Runs {@code call} once for this account and key; answers the first result as JSON. */
    public JsonNode once(String accountId, IdempotencyKey key, String fingerprint, Supplier<Object> call) {
        for (int attempt = 0; ; attempt++) {
            try {
                jdbc.update("INSERT INTO idempotent_call (account_id, idem_key, fingerprint, status, created_at) "
                        + "VALUES (?, ?, ?, 'pending', ?)", accountId, key.value(), fingerprint,
                        Timestamp.from(clock.instant()));
                return callAndKeep(accountId, key, call);
            } catch (DuplicateKeyException retry) {
                JsonNode first = firstAnswer(accountId, key, fingerprint);
                if (first != null || attempt >= 3) {
                    if (first == null) {
                        throw new IdempotencyConflictException("this Idempotency-Key keeps failing; use a new one");
                    }
                    return first;
                }
            }
        }
    }

    private JsonNode callAndKeep(String accountId, IdempotencyKey key, Supplier<Object> call) {
        try {
            JsonNode answer = mapper.valueToTree(call.get());
            jdbc.update("UPDATE idempotent_call SET status = 'done', response = ? WHERE account_id = ? AND idem_key = ?",
                    answer.toString(), accountId, key.value());
            return answer;
        } catch (RuntimeException failed) {
            jdbc.update("DELETE FROM idempotent_call WHERE account_id = ? AND idem_key = ?", accountId, key.value());
            throw failed;
        }
    }

    private JsonNode firstAnswer(String accountId, IdempotencyKey key, String fingerprint) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<String[]> rows = jdbc.query("SELECT fingerprint, status, response FROM idempotent_call "
                            + "WHERE account_id = ? AND idem_key = ?",
                    (rs, i) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}, accountId, key.value());
            if (rows.isEmpty()) {
                // The first attempt failed and gave the key back: this one may now be the first.
                return null;
            }
            String[] row = rows.get(0);
            if (!fingerprint.equals(row[0])) {
                throw new IdempotencyConflictException(
                        "this Idempotency-Key was already used with a different request");
            }
            if ("done".equals(row[1])) {
                try {
                    return mapper.readTree(row[2]);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IdempotencyConflictException("the first request with this Idempotency-Key is still running");
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }
}
