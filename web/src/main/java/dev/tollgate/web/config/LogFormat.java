package dev.tollgate.web.config;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * {@code TOLLGATE_LOG_FORMAT=json} switches the console to one JSON object per line (Spring Boot's Elastic Common
 * Schema format; {@code ecs}, {@code logstash} and {@code gelf} name a format directly). Unset or {@code text}: the
 * human-readable pattern. Either way every line of a request carries its request id (MDC {@code request_id}).
 * Runs before logging starts; an explicit {@code logging.structured.format.console} still wins.
 */
public class LogFormat implements EnvironmentPostProcessor {
    static final String VARIABLE = "TOLLGATE_LOG_FORMAT";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String format = structuredFormat(environment.getProperty(VARIABLE));
        if (format != null) {
            environment.getPropertySources().addLast(new MapPropertySource("tollgateLogFormat",
                    Map.of("logging.structured.format.console", format)));
        }
    }

    /** The structured format for a value of TOLLGATE_LOG_FORMAT, or null for the human-readable pattern. */
    static String structuredFormat(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "text", "plain", "human" -> null;
            case "json", "ecs" -> "ecs";
            case "logstash" -> "logstash";
            case "gelf" -> "gelf";
            default -> throw new IllegalArgumentException(VARIABLE + " must be json, ecs, logstash, gelf or text, not '"
                    + value + "'");
        };
    }
}
