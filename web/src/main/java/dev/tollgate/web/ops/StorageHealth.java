package dev.tollgate.web.ops;

import java.sql.Connection;
import java.util.OptionalLong;
import javax.sql.DataSource;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two components that decide whether Tollgate is up: the database and the event store in it. Both replace
 * Spring's defaults, whose failure details carry exception class names and driver messages into a public answer;
 * here the cause goes to the log and the answer says only what failed.
 */
@Configuration
public class StorageHealth {
    private static final Logger log = LoggerFactory.getLogger(StorageHealth.class);

    /** Named so that Spring's own database indicator steps aside (it looks for this name). */
    @Bean
    public HealthIndicator dbHealthIndicator(DataSource dataSource) {
        return () -> {
            try (Connection connection = dataSource.getConnection()) {
                if (!connection.isValid(2)) {
                    return Health.down().withDetail("error", "the database did not answer in time").build();
                }
                return Health.up().withDetail("database", connection.getMetaData().getDatabaseProductName()).build();
            } catch (Exception unreachable) {
                log.warn("health: database unreachable", unreachable);
                return Health.down().withDetail("error", "the database is unreachable").build();
            }
        };
    }

    /** A cheap read of the event table: the position of the newest event (one index lookup). */
    @Bean
    public HealthIndicator eventStoreHealthIndicator(EventStore eventStore) {
        return () -> {
            try {
                TrackingToken head = eventStore.createHeadToken();
                OptionalLong position = head == null ? OptionalLong.empty() : head.position();
                return Health.up().withDetail("head_position", position.isPresent() ? position.getAsLong() : -1)
                        .build();
            } catch (Exception unreadable) {
                log.warn("health: event store unreadable", unreadable);
                return Health.down().withDetail("error", "the event store cannot be read").build();
            }
        };
    }
}
