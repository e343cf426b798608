package dev.tollgate.bench;

import dev.tollgate.web.ops.Projections;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.MessageHandlerInterceptor;

/**
 * How long after an event was made the read models had committed it: for every event a read model records, the
 * time from the event's timestamp (set when the aggregate applied it, before its append) to the commit of the
 * read model's batch that holds it. Only events made after {@link #start} count.
 */
final class ProjectionLag {
    static final List<String> READ_MODELS = List.of("balances", "history", "usage", "read-models");

    private volatile Latencies lags = new Latencies(0);
    private volatile Instant since = Instant.MAX;

    ProjectionLag(EventProcessingConfiguration processing) {
        MessageHandlerInterceptor<EventMessage<?>> measure = (unitOfWork, chain) -> {
            Instant made = unitOfWork.getMessage().getTimestamp();
            if (!made.isBefore(since)) {
                Latencies into = lags;
                unitOfWork.afterCommit(u -> into.add(Duration.between(made, Instant.now()).toNanos()));
            }
            return chain.proceed();
        };
        for (String readModel : READ_MODELS) {
            processing.eventProcessor(readModel).ifPresent(p -> p.registerHandlerInterceptor(measure));
        }
    }

    void start(int capacity) {
        lags = new Latencies(capacity);
        since = Instant.now();
    }

    /** Waits (boundedly) until the read models have caught up, then answers the p99 lag in milliseconds. */
    double p99(Projections projections) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline && !projections.status().stream()
                .filter(s -> READ_MODELS.contains(s.name())).allMatch(s -> "caught_up".equals(s.status()))) {
            Thread.sleep(10);
        }
        since = Instant.MAX;
        return lags.percentileMillis(99);
    }
}
