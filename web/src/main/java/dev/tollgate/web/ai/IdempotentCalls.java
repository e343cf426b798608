package dev.tollgate.web.ai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.domain.metering.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes a metered call happen once per idempotency key: the first request claims the key (a unique row), calls,
 * and stores its answer; a retry with the same body gets that answer without a second upstream call or charge,
 * waiting if the first is still running; the same key with another body is a conflict. A failed call gives its
 * key back (nothing was charged), so the client's retry really retries. A stream that broke after output was
 * charged is kept as it ended, so its retry replays the break instead of paying again (ADR 0019). A key is claimed
 * in its node's name: when that node stops while the call runs, a retry takes the key over and makes the call
 * (ADR 55), rather than waiting for an answer that will never come.
 */
@Component
public class IdempotentCalls {
    private static final long WAIT_MILLIS = 120_000;
    /** What {@link #firstAnswer} says when this request took over the key of a call whose node stopped. */
    private static final JsonNode TAKEN_OVER = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    /** As long as the ledger remembers a command's idempotency key (UserAccount.MEMORY). */
    public static final Duration MEMORY = Duration.ofHours(24);

    /** A pending claim from before claims named their node, abandoned once older than any call runs. */
    private static final Duration UNNAMED_CLAIM_ABANDONED = Duration.ofMinutes(15);

    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final NodeHeartbeat node;

    public IdempotentCalls(JdbcTemplate jdbc, ObjectMapper mapper, Clock clock, NodeHeartbeat node) {
        this.node = node;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.clock = clock;
    }

    /**
     * Forgets the keys claimed more than {@link #MEMORY} ago, answered or not (a call still pending after a day
     * ended with its node); a retry after that is a new call. Answers how many were forgotten.
     */
    public int forgetOldKeys() {
        return jdbc.update("DELETE FROM idempotent_call WHERE created_at < ?",
                Timestamp.from(clock.instant().minus(MEMORY)));
    }

    /**
     * Whether a call with this key was already made (answered, or still running) for this scope: a request that
     * carries it answers from the first call, or is refused as a conflict, and never calls the provider itself.
     * A key that is not well formed is nobody's.
     */
    public boolean claimed(String scope, String key) {
        IdempotencyKey parsed;
        try {
            parsed = new IdempotencyKey(key);
        } catch (IllegalArgumentException malformed) {
            return false;
        }
        Integer found = jdbc.queryForObject("SELECT COUNT(*) FROM idempotent_call WHERE account_id = ? AND idem_key = ?",
                Integer.class, scope, parsed.value());
        return found != null && found > 0;
    }

    /** Runs {@code call} once for this account and key; answers the first result as JSON. */
    public JsonNode once(String accountId, IdempotencyKey key, String fingerprint, Supplier<Object> call) {
        JsonNode first = claimOrFirst(accountId, key, fingerprint);
        if (first != null) {
            return first;
        }
        return runAndKeep(accountId, key, () -> mapper.valueToTree(call.get()));
    }

    /**
     * How a streamed chat ended, as much as a retry needs to replay it: the finished call, or, when the provider
     * broke after output was produced (and charged), the first request's id, the text that had reached the caller
     * and what it was charged ({@code charged}; null for a call kept before the charge was). {@code created} is the
     * epoch second a surface stamped on its chunks (OpenAI's), 0 where it stamps none.
     */
    public record StreamedCall(MeteredCalls.Metered done, String requestId, String partialText, long created,
                               MeteredCalls.Metered charged) {
        public static StreamedCall finished(MeteredCalls.Metered done) {
            return new StreamedCall(done, done.requestId(), null, 0, null);
        }

        public static StreamedCall broken(String requestId, String partialText, MeteredCalls.Metered charged) {
            return new StreamedCall(null, requestId, partialText, 0, charged);
        }

        /** The call broke after output: charged for that output when the failure says so. */
        public static StreamedCall broken(String requestId, ProviderException failure) {
            return broken(requestId, failure.partial().text(),
                    failure instanceof MeteredCalls.PartlyCharged c ? c.charged() : null);
        }

        public StreamedCall stamped(long epochSecond) {
            return new StreamedCall(done, requestId, partialText, epochSecond, charged);
        }

        public boolean isBroken() {
            return done == null;
        }
    }

    /**
     * Runs {@code live} once for this account and key, letting it stream to its caller, and answers null; a retry
     * answers how the first call ended, for the caller to replay as a stream. {@code live} answers null when its
     * call failed having charged nothing: the key is then given back, as for any failed call.
     */
    public StreamedCall streamOnce(String accountId, IdempotencyKey key, String fingerprint,
                                   Supplier<StreamedCall> live) {
        JsonNode first = claimOrFirst(accountId, key, fingerprint);
        if (first != null) {
            return streamedCall(first);
        }
        StreamedCall ended;
        try {
            ended = live.get();
        } catch (RuntimeException failed) {
            giveBack(accountId, key);
            throw failed;
        }
        if (ended == null) {
            giveBack(accountId, key);
            return null;
        }
        keep(accountId, key, streamedCallJson(ended));
        return null;
    }

    /** Null when this request now holds the key and must make the call; otherwise the first call's answer. */
    private JsonNode claimOrFirst(String accountId, IdempotencyKey key, String fingerprint) {
        for (int attempt = 0; ; attempt++) {
            try {
                jdbc.update("INSERT INTO idempotent_call (account_id, idem_key, fingerprint, status, created_at, "
                        + "claimed_by) VALUES (?, ?, ?, 'pending', ?, ?)", accountId, key.value(), fingerprint,
                        Timestamp.from(clock.instant()), node.nodeId());
                return null;
            } catch (DuplicateKeyException retry) {
                JsonNode first = firstAnswer(accountId, key, fingerprint);
                if (first == TAKEN_OVER) {
                    return null;
                }
                if (first != null || attempt >= 3) {
                    if (first == null) {
                        throw new IdempotencyConflictException("this Idempotency-Key keeps failing; use a new one");
                    }
                    return first;
                }
            }
        }
    }

    private JsonNode runAndKeep(String accountId, IdempotencyKey key, Supplier<JsonNode> call) {
        JsonNode answer;
        try {
            answer = call.get();
        } catch (RuntimeException failed) {
            giveBack(accountId, key);
            throw failed;
        }
        keep(accountId, key, answer);
        return answer;
    }

    private void keep(String accountId, IdempotencyKey key, JsonNode answer) {
        jdbc.update("UPDATE idempotent_call SET status = 'done', response = ? WHERE account_id = ? AND idem_key = ?",
                answer.toString(), accountId, key.value());
    }

    private void giveBack(String accountId, IdempotencyKey key) {
        jdbc.update("DELETE FROM idempotent_call WHERE account_id = ? AND idem_key = ?", accountId, key.value());
    }

    private JsonNode streamedCallJson(StreamedCall call) {
        ObjectNode kept = mapper.createObjectNode().put("kind", "stream").put("created", call.created());
        if (call.isBroken()) {
            kept.put("broken", true).put("request_id", call.requestId()).put("partial_text", call.partialText());
            if (call.charged() != null) {
                putMetered(kept.putObject("charged"), call.charged());
            }
            return kept;
        }
        putMetered(kept.put("broken", false), call.done());
        return kept;
    }

    private static void putMetered(ObjectNode kept, MeteredCalls.Metered m) {
        kept.put("request_id", m.requestId()).put("model", m.model()).put("text", m.text())
                .put("input_tokens", m.inputTokens()).put("output_tokens", m.outputTokens())
                .put("token_source", m.source().name()).put("cost_nanos", m.cost().nanos())
                .put("balance_after_nanos", m.balanceAfter().nanos()).put("provider", m.provider())
                .put("latency_ms", m.latencyMs()).put("finish_reason", m.finishReason());
        if (m.toolCalls() != null) {
            kept.put("tool_calls", m.toolCalls());
        }
    }

    private static MeteredCalls.Metered metered(JsonNode kept) {
        JsonNode finish = kept.get("finish_reason");
        // A call kept before function calls were answered has no tool_calls: it asked for none.
        JsonNode toolCalls = kept.get("tool_calls");
        return new MeteredCalls.Metered(kept.get("request_id").asText(),
                kept.get("model").asText(), kept.get("text").asText(), kept.get("input_tokens").asLong(),
                kept.get("output_tokens").asLong(), TokenSource.valueOf(kept.get("token_source").asText()),
                Money.ofNanos(kept.get("cost_nanos").asLong()), Money.ofNanos(kept.get("balance_after_nanos").asLong()),
                kept.get("provider").asText(), kept.get("latency_ms").asLong(),
                finish == null || finish.isNull() ? null : finish.asText(),
                toolCalls == null || toolCalls.isNull() ? null : toolCalls.asText());
    }

    private StreamedCall streamedCall(JsonNode kept) {
        if (!"stream".equals(kept.path("kind").asText())) {
            // Only reachable with a fingerprint collision across surfaces, which the fingerprints' prefixes rule out.
            throw new IdempotencyConflictException("this Idempotency-Key was already used with a different request");
        }
        if (kept.path("broken").asBoolean()) {
            JsonNode charged = kept.get("charged");
            return StreamedCall.broken(kept.path("request_id").asText(), kept.path("partial_text").asText(""),
                            charged == null ? null : metered(charged))
                    .stamped(kept.path("created").asLong());
        }
        return StreamedCall.finished(metered(kept)).stamped(kept.path("created").asLong());
    }

    /** A key's row: the request it was claimed for, and its answer once done; by which node, since when. */
    private record Claim(String fingerprint, String status, String response, String claimedBy, Instant claimedAt) {
    }

    /** A pending claim whose node stopped: the call it made will never be answered or given back. */
    private boolean abandoned(Claim claim) {
        if (claim.claimedBy() == null) {
            return claim.claimedAt().isBefore(clock.instant().minus(UNNAMED_CLAIM_ABANDONED));
        }
        return !node.isRunning(claim.claimedBy());
    }

    /** Claims the key in this node's name, if no other retry did first. */
    private boolean takeOver(String accountId, IdempotencyKey key, String claimedBy) {
        String stillClaimedBy = claimedBy == null ? "claimed_by IS NULL" : "claimed_by = ?";
        Object[] args = claimedBy == null
                ? new Object[] {node.nodeId(), Timestamp.from(clock.instant()), accountId, key.value()}
                : new Object[] {node.nodeId(), Timestamp.from(clock.instant()), accountId, key.value(), claimedBy};
        return jdbc.update("UPDATE idempotent_call SET claimed_by = ?, created_at = ? WHERE account_id = ? "
                + "AND idem_key = ? AND status = 'pending' AND " + stillClaimedBy, args) == 1;
    }

    /**
     * The first call's answer once it has one; null when it failed and gave the key back; {@link #TAKEN_OVER} when its
     * node stopped while it ran, and this request took the key over to make the call itself (ADR 55).
     */
    private JsonNode firstAnswer(String accountId, IdempotencyKey key, String fingerprint) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<Claim> rows = jdbc.query("SELECT fingerprint, status, response, claimed_by, created_at "
                            + "FROM idempotent_call WHERE account_id = ? AND idem_key = ?",
                    (rs, i) -> new Claim(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant()),
                    accountId, key.value());
            if (rows.isEmpty()) {
                // The first attempt failed and gave the key back: this one may now be the first.
                return null;
            }
            Claim row = rows.get(0);
            if (!fingerprint.equals(row.fingerprint())) {
                throw new IdempotencyConflictException(
                        "this Idempotency-Key was already used with a different request");
            }
            if ("done".equals(row.status())) {
                try {
                    return mapper.readTree(row.response());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (abandoned(row) && takeOver(accountId, key, row.claimedBy())) {
                return TAKEN_OVER;
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
