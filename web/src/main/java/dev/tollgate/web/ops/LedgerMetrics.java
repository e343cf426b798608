package dev.tollgate.web.ops;

import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.Charge;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Counts what the ledger did on this node, from its events: every event by type, and for each settled call its
 * model's cost and tokens. A subscribing processor (see application.yml): it hears the events this node appends,
 * once, after they commit, and never replays — so every node counts its own work and Prometheus sums the nodes.
 *
 * <p>Cost is counted in nano-USD: a Prometheus counter is a double, exact for integers up to 2^53 nano-USD (about
 * nine million USD per node between restarts); summing fractional dollars would drift instead.
 */
@Component
@ProcessingGroup(LedgerMetrics.GROUP)
public class LedgerMetrics {
    public static final String GROUP = "metrics";
    private static final Logger log = LoggerFactory.getLogger(LedgerMetrics.class);

    private final MeterCache<Counter> events;
    private final MeterCache<Counter> ended;
    private final MeterCache<Counter> cost;
    private final MeterCache<Counter> uncollected;
    private final MeterCache<Counter> tokens;

    public LedgerMetrics(MeterRegistry meters) {
        this.events = new MeterCache<>(labels -> Counter.builder("tollgate.ledger.events")
                .description("Events appended to the ledger by this node, by type")
                .tag("type", labels.get(0)).register(meters));
        this.ended = new MeterCache<>(labels -> Counter.builder("tollgate.holds.ended")
                .description("Holds that ended, by how they ended")
                .tag("outcome", labels.get(0)).register(meters));
        this.cost = new MeterCache<>(labels -> Counter.builder("tollgate.cost").baseUnit("nano.usd")
                .description("Cost collected for metered calls, by model, in nano-USD")
                .tag("model", labels.get(0)).register(meters));
        this.uncollected = new MeterCache<>(labels -> Counter.builder("tollgate.cost.uncollected").baseUnit("nano.usd")
                .description("Cost that the balance could not cover, by model, in nano-USD")
                .tag("model", labels.get(0)).register(meters));
        this.tokens = new MeterCache<>(labels -> Counter.builder("tollgate.tokens")
                .description("Tokens charged, by model, direction and who counted them")
                .tag("model", labels.get(0)).tag("direction", labels.get(1)).tag("source", labels.get(2))
                .register(meters));
        // Present from the start, so a dashboard shows zero rather than no data.
        for (String outcome : new String[] {"settled", "released", "expired"}) {
            holdsEnded(outcome);
        }
    }

    @EventHandler
    void on(ReservationSettled event) {
        Charge charge = event.charge();
        afterCommit(() -> {
            counted(event);
            holdsEnded("settled").increment();
            cost.get(charge.model()).increment(event.collected().nanos());
            long uncollected = charge.cost().nanos() - event.collected().nanos();
            if (uncollected > 0) {
                // A charge above what the hold and the balance could cover (ADR 7): worth an alert.
                this.uncollected.get(charge.model()).increment(uncollected);
            }
            tokens(charge, "input", charge.inputTokens());
            tokens(charge, "output", charge.outputTokens());
        });
    }

    @EventHandler
    void on(ReservationReleased event) {
        afterCommit(() -> {
            counted(event);
            holdsEnded(event.expired() ? "expired" : "released").increment();
        });
    }

    @EventHandler
    void on(Object event) {
        afterCommit(() -> counted(event));
    }

    private void counted(Object event) {
        events.get(event.getClass().getSimpleName()).increment();
    }

    private Counter holdsEnded(String outcome) {
        return ended.get(outcome);
    }

    private void tokens(Charge charge, String direction, long count) {
        tokens.get(charge.model(), direction, charge.tokenSource().name().toLowerCase(java.util.Locale.ROOT))
                .increment(count);
    }

    /** Only committed events count; a metric must never fail (and so roll back) the command that appended them. */
    private static void afterCommit(Runnable count) {
        Runnable safe = () -> {
            try {
                count.run();
            } catch (RuntimeException failed) {
                log.warn("could not record a ledger metric", failed);
            }
        };
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> safe.run());
        } else {
            safe.run();
        }
    }
}
