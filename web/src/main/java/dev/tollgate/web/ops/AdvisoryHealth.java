package dev.tollgate.web.ops;

import dev.tollgate.web.ops.ProviderReachability.Snapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Health components that inform but never take Tollgate down (ADR 16): the provider and the processing groups.
 * A provider outage does not stop balances, transfers or history, and a projection catching up is still serving.
 * When something is wrong they say {@code DEGRADED}, a status outside the aggregation order, so the overall status
 * (and the 200) depends on the database and the event store alone.
 */
@Configuration
public class AdvisoryHealth {
    public static final Status DEGRADED = new Status("DEGRADED");

    /** From the last real calls, never a live call: a check per probe would cost money and rate limit. */
    @Bean
    public HealthIndicator providerHealthIndicator(ProviderReachability reachability) {
        return () -> {
            Snapshot s = reachability.snapshot();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("provider", s.provider());
            if ("offline".equals(s.provider())) {
                details.put("note", "canned answers, nothing to reach");
                return Health.up().withDetails(details).build();
            }
            details.put("checked", "from the last real calls, not by calling");
            if (s.lastAnswer() != null) {
                details.put("last_answer_at", s.lastAnswer().toString());
            }
            if (s.lastFailure() != null) {
                details.put("last_failure_at", s.lastFailure().toString());
                details.put("last_failure", s.lastFailureKind());
            }
            if (s.lastCallFailed()) {
                return Health.status(DEGRADED).withDetails(details).build();
            }
            return (s.lastAnswer() == null ? Health.unknown() : Health.up()).withDetails(details).build();
        };
    }

    /** UP while every processing group is running and within {@code maxLag} events of the head. */
    @Bean
    public HealthIndicator projectionsHealthIndicator(Projections projections,
                                                      @Value("${tollgate.health.max-projection-lag:1000}") long maxLag) {
        return () -> {
            boolean healthy = true;
            Map<String, Object> details = new LinkedHashMap<>();
            java.util.List<Projections.Status> groups;
            try {
                groups = projections.status();
            } catch (RuntimeException unreadable) {
                // their tokens live in the database: the db component says it is down, this one only that it cannot tell
                return Health.unknown().withDetail("error", "the read models' positions cannot be read").build();
            }
            for (Projections.Status group : groups) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("status", group.status());
                one.put("lag", group.lag());
                one.put("owner", group.owner()); // the node processing it; every node reports its shared token
                details.put(group.name(), one);
                boolean bounded = group.lag() == null || group.lag() <= maxLag;
                if (!bounded || group.status().equals("error") || group.status().equals("stopped")) {
                    healthy = false;
                }
            }
            details.put("max_lag", maxLag);
            return (healthy ? Health.up() : Health.status(DEGRADED)).withDetails(details).build();
        };
    }
}
