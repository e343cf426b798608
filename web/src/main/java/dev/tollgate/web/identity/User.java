package dev.tollgate.web.identity;

import java.time.Instant;

/** A person who logs in; their account id is their user id. */
public record User(String id, String email, String username, String passwordHash, Role role, boolean disabled,
                   Instant createdAt) {
}
