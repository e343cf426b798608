package dev.tollgate.web.identity;

import java.time.Instant;

/** An API key's public record; the key itself exists only in the creation answer. */
public record ApiKey(String id, String userId, String name, String prefix, Instant createdAt, Instant lastUsedAt,
                     boolean revoked) {
}
