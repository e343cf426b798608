package dev.tollgate.web.limits;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code tollgate.rate-limit.*}. AI limits are per minute, per user (across all of their credentials) and per API
 * key; 0 means unlimited. Sign-in limits are per client address and per minute.
 *
 * @param requestsPerMinute AI requests per user ({@code TOLLGATE_RATE_LIMIT_RPM})
 * @param tokensPerMinute AI tokens (input + output) per user ({@code TOLLGATE_RATE_LIMIT_TPM})
 * @param apiKeyRequestsPerMinute AI requests per API key (defaults to the per-user figure)
 * @param apiKeyTokensPerMinute AI tokens per API key (defaults to the per-user figure)
 * @param loginFailuresPerMinute failed logins from one address before every login from it is refused
 * @param registrationsPerMinute registration attempts from one address
 * @param trackedKeys how many users, keys or addresses each limiter keeps at most (bounded memory)
 */
@ConfigurationProperties("tollgate.rate-limit")
public record RateLimitProperties(long requestsPerMinute, long tokensPerMinute, long apiKeyRequestsPerMinute,
                                  long apiKeyTokensPerMinute, long loginFailuresPerMinute,
                                  long registrationsPerMinute, int trackedKeys) {
    public RateLimitProperties {
        if (requestsPerMinute < 0 || tokensPerMinute < 0 || apiKeyRequestsPerMinute < 0 || apiKeyTokensPerMinute < 0
                || loginFailuresPerMinute < 0 || registrationsPerMinute < 0) {
            throw new IllegalArgumentException("rate limits are 0 (unlimited) or positive");
        }
        if (trackedKeys <= 0) {
            trackedKeys = 100_000;
        }
    }
}
