package dev.tollgate.web.security;

import dev.tollgate.web.identity.ApiKey;
import dev.tollgate.web.identity.ApiKeys;
import dev.tollgate.web.identity.User;
import dev.tollgate.web.identity.UserDirectory;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads {@code Authorization: Bearer <jwt or api key>} or {@code X-API-Key}. Presented credentials that do not
 * verify are marked on the request: wherever credentials are needed the answer is a 401 that says they are wrong,
 * so a client learns its key is wrong; where none are needed the request is served as an anonymous one. The
 * user is looked up on every request, so disabling a user or revoking a key takes effect immediately.
 */
public class CredentialsFilter extends OncePerRequestFilter {
    private final JwtService jwt;
    private final ApiKeys apiKeys;
    private final UserDirectory users;

    /** Set on a request whose credentials did not verify (wrong, expired, revoked, or a disabled user's). */
    public static final String REJECTED = CredentialsFilter.class.getName() + ".rejected";
    public static final String REJECTED_MESSAGE = "Invalid, expired or revoked credentials.";
    /** What a disabled user's verified token or key, or correct password, is told instead. */
    public static final String DISABLED_MESSAGE = "This account is disabled; an administrator can enable it again.";

    public CredentialsFilter(JwtService jwt, ApiKeys apiKeys, UserDirectory users) {
        this.jwt = jwt;
        this.apiKeys = apiKeys;
        this.users = users;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = presentedCredential(request);
        if (presented == null) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = resolve(presented);
        if (caller.isEmpty()) {
            // Not answered here: a path that needs no credentials (login, registration, health, the dashboard) is
            // served to a client still sending a stale token, as it would be without one; a path that needs them
            // answers 401 with these words (SecurityConfig's entry point).
            request.setAttribute(REJECTED, disabledOwner(presented) ? DISABLED_MESSAGE : REJECTED_MESSAGE);
            chain.doFilter(request, response);
            return;
        }
        Caller who = caller.get();
        var authorities = List.of(new SimpleGrantedAuthority("ROLE_" + who.role().name()),
                new SimpleGrantedAuthority(who.viaTeamKey() ? SecurityConfig.VIA_TEAM_KEY
                        : who.viaApiKey() ? "VIA_API_KEY" : "VIA_TOKEN"));
        SecurityContextHolder.getContext().setAuthentication(
                new UsernamePasswordAuthenticationToken(who, null, authorities));
        chain.doFilter(request, response);
    }

    private Optional<Caller> resolve(String presented) {
        if (presented.startsWith(ApiKeys.KEY_START)) {
            Optional<ApiKey> key = apiKeys.authenticate(presented);
            return key.flatMap(k -> users.byId(k.userId()))
                    .filter(user -> !user.disabled())
                    .map(user -> new Caller(user.id(), user.email(), user.role(), key.get().id(), key.get().teamId(),
                            key.get().spendCap(), key.get().memberCap()));
        }
        return jwt.verify(presented)
                .flatMap(users::byId)
                .filter(user -> !user.disabled())
                .map(user -> new Caller(user.id(), user.email(), user.role(), null));
    }

    /** Whether the credential verifies and names a user who is disabled (asked only of a refused credential). */
    private boolean disabledOwner(String presented) {
        if (presented.startsWith(ApiKeys.KEY_START)) {
            return apiKeys.authenticate(presented).flatMap(k -> users.byId(k.userId())).map(User::disabled)
                    .orElse(false);
        }
        return jwt.verify(presented).flatMap(users::byId).map(User::disabled).orElse(false);
    }

    private static String presentedCredential(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String value = authorization.substring(7).trim();
            return value.isEmpty() ? null : value;
        }
        String apiKey = request.getHeader("X-API-Key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }
}
