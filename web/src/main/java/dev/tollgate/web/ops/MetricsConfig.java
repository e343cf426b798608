package dev.tollgate.web.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

@Configuration
public class MetricsConfig {
    public static final String PREFIX = "tollgate.";

    /**
     * The contract says metric names start with {@code tollgate_}: the JVM's, Tomcat's, Hikari's and Spring's meters
     * are kept, under the same prefix (ADR 16). Applied last, so Spring's own filters still see the original names.
     */
    @Bean
    @Order(Ordered.LOWEST_PRECEDENCE)
    public MeterFilter tollgatePrefix() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
            }
        };
    }

    /** Spring tags its start-up timers with the application's main class: no class name in any answer. */
    @Bean
    public MeterFilter noClassNames() {
        return MeterFilter.ignoreTags("main.application.class");
    }
}
