package dev.tollgate.cloudflare;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach Workers AI. {@code apiBase} includes {@code /client/v4}, as CLOUDFLARE_API_BASE does, so a fake
 * server can stand in for Cloudflare by changing this one value.
 *
 * @param connectTimeout  how long to wait for a TCP/TLS connection
 * @param readTimeout     the longest silence allowed between two bytes of an answer (also the wait for the first)
 * @param callTimeout     the longest one attempt may take end to end, stream included
 * @param maxRetries      extra attempts after a retryable failure (0 disables retries)
 * @param catalogTtl      how long the model catalog is reused before it is fetched again
 */
public record CloudflareSettings(String apiBase, String accountId, String apiToken,
                                 Duration connectTimeout, Duration readTimeout, Duration callTimeout,
                                 int maxRetries, Duration catalogTtl) {

    public static final String DEFAULT_API_BASE = "https://api.cloudflare.com/client/v4";
    public static final int DEFAULT_MAX_RETRIES = 2;

    public CloudflareSettings {
        apiBase = apiBase == null || apiBase.isBlank() ? DEFAULT_API_BASE : apiBase.strip();
        if (accountId == null || accountId.isBlank()) {
            throw new IllegalArgumentException("a Cloudflare account id is required (CLOUDFLARE_ACCOUNT_ID)");
        }
        if (apiToken == null || apiToken.isBlank()) {
            throw new IllegalArgumentException("a Cloudflare API token is required (CLOUDFLARE_API_KEY)");
        }
        if (!apiToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // Said without echoing the value: a pasted token with a newline must not end up in a log.
            throw new IllegalArgumentException("the Cloudflare API token contains spaces or control characters");
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(readTimeout, "readTimeout");
        requirePositive(callTimeout, "callTimeout");
        requirePositive(catalogTtl, "catalogTtl");
        if (maxRetries < 0 || maxRetries > 10) {
            throw new IllegalArgumentException("maxRetries must be between 0 and 10");
        }
    }

    /** Production defaults: generous timeouts because a large model may think for a while before its first byte. */
    public static CloudflareSettings defaults(String accountId, String apiToken) {
        return new CloudflareSettings(DEFAULT_API_BASE, accountId, apiToken, Duration.ofSeconds(5),
                Duration.ofSeconds(60), Duration.ofSeconds(180), DEFAULT_MAX_RETRIES, Duration.ofMinutes(10));
    }

    /** The longest a call may take, every attempt and the waits between them included. */
    public Duration longestCall() {
        return callTimeout.multipliedBy(maxRetries + 1L).plus(Backoff.CAP.multipliedBy(maxRetries));
    }

    public CloudflareSettings withApiBase(String newApiBase) {
        return new CloudflareSettings(newApiBase, accountId, apiToken, connectTimeout, readTimeout, callTimeout,
                maxRetries, catalogTtl);
    }

    public CloudflareSettings withTimeouts(Duration connect, Duration read, Duration call) {
        return new CloudflareSettings(apiBase, accountId, apiToken, connect, read, call, maxRetries, catalogTtl);
    }

    public CloudflareSettings withMaxRetries(int retries) {
        return new CloudflareSettings(apiBase, accountId, apiToken, connectTimeout, readTimeout, callTimeout,
                retries, catalogTtl);
    }

    public CloudflareSettings withCatalogTtl(Duration ttl) {
        return new CloudflareSettings(apiBase, accountId, apiToken, connectTimeout, readTimeout, callTimeout,
                maxRetries, ttl);
    }

    /** The token is a bearer secret: settings get logged and printed, so it never appears here. */
    @Override
    public String toString() {
        return "CloudflareSettings[apiBase=" + apiBase + ", accountId=" + accountId + ", apiToken=[redacted]"
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", callTimeout=" + callTimeout + ", maxRetries=" + maxRetries + ", catalogTtl=" + catalogTtl + "]";
    }

    private static void requirePositive(Duration d, String name) {
        Objects.requireNonNull(d, name + " is required");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
