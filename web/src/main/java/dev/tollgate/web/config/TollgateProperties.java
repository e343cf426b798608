package dev.tollgate.web.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Tollgate's own settings; each is read from the environment variable named in the README. */
@ConfigurationProperties("tollgate")
public record TollgateProperties(Path dataDir, Jwt jwt, Admin admin, Duration transferWait, long holdTimeoutSeconds) {

    public record Jwt(String secret, Duration ttl) {
    }

    public record Admin(String email, String password) {
    }
}
