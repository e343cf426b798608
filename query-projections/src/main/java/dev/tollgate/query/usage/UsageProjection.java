package dev.tollgate.query.usage;

import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.query.BatchedWrites;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.Locale;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records each metered call from its hold's events: placed (pending), settled (ok, with model, tokens, who counted
 * them and the cost; partial when the answer broke off after output reached the caller, charged for that output),
 * or released (failed or expired). Stats and daily totals count ok and partial calls alike: both were charged. Latency is measured between the hold and its settlement,
 * both event times, so a replay gives the same figure. The UTC day is the day the call was settled. A batch of
 * events is written in a few JDBC batches (ADR 15). It keeps no position of its own: it shares one processor and one
 * transaction per batch with the history read model (ADR 51), whose position is therefore this one's too.
 */
@Component
@ProcessingGroup(UsageProjection.GROUP)
public class UsageProjection {
    public static final String GROUP = "usage";
    private static final String PENDING = GROUP + ".pending";
    private static final String OK = "ok";
    private static final String PARTIAL = "partial";

    private final JdbcTemplate jdbc;

    public UsageProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @EventHandler
    void on(CreditsReserved e) {
        call(e.holdId(), c -> {
            c.accountId = e.accountId().value();
            c.requestId = e.requestId();
            c.apiKeyId = e.apiKeyId();
            // The model asked for; a settlement replaces it with the charged one (the same model).
            if (c.model == null) {
                c.model = e.model();
            }
            // Kept to the microsecond, as both databases store it, so that a latency computed from this value and
            // one computed from the stored row agree to the millisecond, whichever batch the settlement lands in.
            c.reservedAt = Timestamp.from(e.at().truncatedTo(ChronoUnit.MICROS));
        });
    }

    @EventHandler
    void on(ReservationSettled e) {
        var charge = e.charge();
        call(e.holdId(), c -> {
            c.end(e.at(), e.partial() ? PARTIAL : OK);
            c.model = charge.model();
            c.inputTokens = charge.inputTokens();
            c.outputTokens = charge.outputTokens();
            c.tokenSource = charge.tokenSource().name().toLowerCase(Locale.ROOT);
            c.costNanos = e.collected().nanos();
        });
    }

    @EventHandler
    void on(ReservationReleased e) {
        call(e.holdId(), c -> c.end(e.at(), e.expired() ? "expired" : "failed"));
    }

    @ResetHandler
    void reset() {
        BatchedWrites.clear(jdbc, "usage_call");
    }

    /** What a batch of events says about one call; a hold placed and ended in the same batch is one insert. */
    private static final class Call {
        String accountId;
        String requestId;
        String apiKeyId;
        Timestamp reservedAt;
        Instant endedAt;
        String status;
        String model;
        long inputTokens;
        long outputTokens;
        String tokenSource;
        long costNanos;

        void end(Instant at, String how) {
            endedAt = at;
            status = how;
        }

        boolean settled() {
            return OK.equals(status) || PARTIAL.equals(status);
        }
    }

    private static final class Pending {
        final Map<String, Call> calls = new LinkedHashMap<>();
    }

    private void call(String holdId, Consumer<Call> change) {
        BatchedWrites.record(PENDING, Pending::new, p -> change.accept(p.calls.computeIfAbsent(holdId, k -> new Call())),
                this::flush);
    }

    private void flush(Pending pending) {
        Map<String, Timestamp> known = reservedAt(pending.calls.keySet());
        List<Map.Entry<String, Call>> inserts = new ArrayList<>();
        List<Object[]> settled = new ArrayList<>();
        List<Object[]> released = new ArrayList<>();
        pending.calls.forEach((holdId, c) -> {
            Timestamp reserved = known.get(holdId);
            if (reserved == null && c.reservedAt != null) {
                // A redelivered reservation finds its row already there and is not recorded twice.
                inserts.add(Map.entry(holdId, c));
            } else if (reserved != null && c.settled()) {
                settled.add(new Object[] {ts(c.endedAt), day(c.endedAt), c.model, c.inputTokens, c.outputTokens,
                        c.tokenSource, c.costNanos, latency(reserved, c.endedAt), c.status, holdId});
            } else if (reserved != null && c.endedAt != null) {
                released.add(new Object[] {ts(c.endedAt), day(c.endedAt), latency(reserved, c.endedAt), c.status,
                        holdId});
            }
        });
        if (!inserts.isEmpty()) {
            // Bound by hand, as history's rows are (ADR 22); a call still pending has no end and no model.
            jdbc.batchUpdate("INSERT INTO usage_call (hold_id, account_id, request_id, reserved_at, ended_at, "
                    + "call_day, model, input_tokens, output_tokens, token_source, cost_nanos, latency_ms, status, "
                    + "api_key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    new BatchPreparedStatementSetter() {
                        @Override
                        public void setValues(PreparedStatement ps, int i) throws SQLException {
                            Call c = inserts.get(i).getValue();
                            Long latency = latency(c.reservedAt, c.endedAt);
                            ps.setString(1, inserts.get(i).getKey());
                            ps.setString(2, c.accountId);
                            ps.setString(3, c.requestId);
                            ps.setTimestamp(4, c.reservedAt);
                            ps.setTimestamp(5, ts(c.endedAt));
                            ps.setDate(6, day(c.endedAt));
                            ps.setString(7, c.model);
                            ps.setLong(8, c.inputTokens);
                            ps.setLong(9, c.outputTokens);
                            ps.setString(10, c.tokenSource);
                            ps.setLong(11, c.costNanos);
                            if (latency == null) {
                                ps.setNull(12, Types.BIGINT);
                            } else {
                                ps.setLong(12, latency);
                            }
                            ps.setString(13, c.status == null ? "pending" : c.status);
                            ps.setString(14, c.apiKeyId);
                        }

                        @Override
                        public int getBatchSize() {
                            return inserts.size();
                        }
                    });
        }
        if (!settled.isEmpty()) {
            jdbc.batchUpdate("UPDATE usage_call SET ended_at = ?, call_day = ?, model = ?, input_tokens = ?, "
                    + "output_tokens = ?, token_source = ?, cost_nanos = ?, latency_ms = ?, status = ? "
                    + "WHERE hold_id = ?", settled);
        }
        if (!released.isEmpty()) {
            jdbc.batchUpdate("UPDATE usage_call SET ended_at = ?, call_day = ?, latency_ms = ?, status = ? "
                    + "WHERE hold_id = ?", released);
        }
    }

    private Map<String, Timestamp> reservedAt(Collection<String> holdIds) {
        Map<String, Timestamp> found = new HashMap<>();
        BatchedWrites.forKeys(jdbc, "SELECT hold_id, reserved_at FROM usage_call WHERE hold_id = ANY(?)", holdIds,
                rs -> {
                    found.put(rs.getString("hold_id"), rs.getTimestamp("reserved_at"));
                });
        return found;
    }

    private static Long latency(Timestamp reserved, Instant ended) {
        return ended == null ? null : Math.max(0, Duration.between(reserved.toInstant(), ended).toMillis());
    }

    private static Timestamp ts(Instant at) {
        return at == null ? null : Timestamp.from(at);
    }

    private static Date day(Instant at) {
        return at == null ? null : Date.valueOf(at.atZone(ZoneOffset.UTC).toLocalDate());
    }
}
