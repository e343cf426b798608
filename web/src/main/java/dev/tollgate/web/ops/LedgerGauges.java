package dev.tollgate.web.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Gauges of the whole ledger, read at scrape time (at most once every few seconds): open holds and the money they
 * set aside, from the read models, and how many events each processing group is behind the head of the event
 * stream. Every node reports the same ledger-wide values: aggregate them with max(), not sum().
 */
@Component
public class LedgerGauges {
    private static final Logger log = LoggerFactory.getLogger(LedgerGauges.class);
    private static final Duration FRESH_FOR = Duration.ofSeconds(5);

    private final MeterRegistry meters;
    private final Cached<Double> openHolds;
    private final Cached<Double> heldNanos;
    private final Cached<Map<String, Projections.Status>> projections;

    public LedgerGauges(MeterRegistry meters, JdbcTemplate jdbc, Projections status) {
        this.meters = meters;
        this.openHolds = new Cached<>(FRESH_FOR, () -> query(jdbc,
                "SELECT COUNT(*) FROM usage_call WHERE status = 'pending'"));
        this.heldNanos = new Cached<>(FRESH_FOR, () -> query(jdbc,
                "SELECT COALESCE(SUM(held_nanos), 0) FROM account_balance"));
        this.projections = new Cached<>(Duration.ofSeconds(2), () -> status.status().stream()
                .collect(Collectors.toMap(Projections.Status::name, Function.identity())));
        Gauge.builder("tollgate.holds.active", openHolds, Cached::get)
                .description("Holds placed and not yet settled, released or expired (from the usage read model)")
                .register(meters);
        Gauge.builder("tollgate.holds.held", heldNanos, h -> h.get() / 1e9).baseUnit("usd")
                .description("Money set aside by open holds, in USD (from the balance read model)")
                .register(meters);
    }

    /** Processing groups exist once Axon has started; register one lag gauge for each. */
    @EventListener(ApplicationReadyEvent.class)
    public void registerProjectionLag() {
        for (String group : projections.get().keySet()) {
            Gauge.builder("tollgate.projection.lag", projections, p -> lag(p.get().get(group)))
                    .baseUnit("events")
                    .description("Events between a processing group's position and the head of the event stream")
                    .tag("group", group)
                    .register(meters);
        }
    }

    private static double lag(Projections.Status status) {
        return status == null || status.lag() == null ? Double.NaN : status.lag();
    }

    private static Double query(JdbcTemplate jdbc, String sql) {
        try {
            Number n = jdbc.queryForObject(sql, Number.class);
            return n == null ? 0.0 : n.doubleValue();
        } catch (RuntimeException unreadable) {
            log.debug("gauge query failed", unreadable);
            return Double.NaN;
        }
    }
}
