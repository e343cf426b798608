package dev.tollgate.web.security;

import dev.tollgate.web.identity.Role;

/**
 * The authenticated caller of a request: the user, their role, and the API key used (null for a JWT).
 */
public record Caller(String userId, String email, Role role, String apiKeyId) {
    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean viaApiKey() {
        return apiKeyId != null;
    }
}
