package dev.tollgate.query.usage;

import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.query.Positions;
import org.axonframework.eventhandling.SequenceNumber;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records each metered call from its hold's events: placed (pending), settled (ok, with model, tokens, who counted
 * them and the cost), or released (failed or expired). Latency is measured between the hold and its settlement,
 * both event times, so a replay gives the same figure. The UTC day is the day the call was settled.
 */
@Component
@ProcessingGroup(UsageProjection.GROUP)
public class UsageProjection {
    public static final String GROUP = "usage";

    private final JdbcTemplate jdbc;
    private final Positions positions;

    public UsageProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.positions = new Positions(jdbc, "usage_position");
    }

    /** Every other event of an account records nothing here but moves this read model's position. */
    @EventHandler
    void on(LedgerEvent e, @SequenceNumber long seq) {
        positions.advance(e.accountId().value(), seq);
    }

    @EventHandler
    void on(CreditsReserved e, @SequenceNumber long seq) {
        positions.advance(e.accountId().value(), seq);
        Integer known = jdbc.queryForObject("SELECT COUNT(*) FROM usage_call WHERE hold_id = ?", Integer.class,
                e.holdId());
        if (known == null || known == 0) {
            jdbc.update("INSERT INTO usage_call (hold_id, account_id, request_id, reserved_at, status) "
                    + "VALUES (?, ?, ?, ?, 'pending')", e.holdId(), e.accountId().value(), e.requestId(),
                    Timestamp.from(e.at()));
        }
    }

    @EventHandler
    void on(ReservationSettled e, @SequenceNumber long seq) {
        positions.advance(e.accountId().value(), seq);
        var charge = e.charge();
        jdbc.update("UPDATE usage_call SET ended_at = ?, call_day = ?, model = ?, input_tokens = ?, output_tokens = ?, "
                        + "token_source = ?, cost_nanos = ?, latency_ms = ?, status = 'ok' WHERE hold_id = ?",
                Timestamp.from(e.at()), day(e.at()), charge.model(), charge.inputTokens(), charge.outputTokens(),
                charge.tokenSource().name().toLowerCase(Locale.ROOT), e.collected().nanos(),
                latency(e.holdId(), e.at()), e.holdId());
    }

    @EventHandler
    void on(ReservationReleased e, @SequenceNumber long seq) {
        positions.advance(e.accountId().value(), seq);
        jdbc.update("UPDATE usage_call SET ended_at = ?, call_day = ?, latency_ms = ?, status = ? WHERE hold_id = ?",
                Timestamp.from(e.at()), day(e.at()), latency(e.holdId(), e.at()), e.expired() ? "expired" : "failed",
                e.holdId());
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM usage_call");
        positions.clear();
    }

    private Long latency(String holdId, Instant ended) {
        List<Timestamp> reserved = jdbc.queryForList("SELECT reserved_at FROM usage_call WHERE hold_id = ?",
                Timestamp.class, holdId);
        return reserved.isEmpty() ? null : Math.max(0, Duration.between(reserved.get(0).toInstant(), ended).toMillis());
    }

    private static Date day(Instant at) {
        return Date.valueOf(at.atZone(ZoneOffset.UTC).toLocalDate());
    }
}
