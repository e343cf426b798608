package dev.tollgate.web.security;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.web.http.ErrorBody;
import dev.tollgate.web.identity.ApiKeys;
import dev.tollgate.web.identity.UserDirectory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.HttpStatusRequestRejectedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * Stateless security: no sessions, no CSRF tokens (no cookies are used), JSON errors. Admin endpoints need the
 * admin role through a login token; an API key never opens them.
 */
@Configuration
public class SecurityConfig {

    @Bean
    public PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder(10);
    }

    /**
     * Encoded slashes are allowed because Cloudflare's SDK sends model ids that way. Header values are checked as HTTP
     * defines them (RFC 9110 field-value: visible ASCII, space, tab, and the bytes 0x80–0xFF, which Tomcat passes on
     * as ISO-8859-1), not by the firewall's default, which also refuses 0x80–0x9F: UTF-8 text such as a
     * non-ASCII {@code Idempotency-Key} holds those bytes, and the refusal surfaced only when a controller read the
     * header, as a 500. Control characters (Tomcat refuses CR, LF and NUL before this) are still refused.
     */
    @Bean
    public HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowUrlEncodedSlash(true);
        firewall.setAllowedHeaderValues(SecurityConfig::isFieldValue);
        return firewall;
    }

    static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
                return false;
            }
        }
        return true;
    }

    /** The methods the firewall lets through (its default); any other is refused before a handler is looked up. */
    private static final java.util.Set<String> FIREWALL_METHODS =
            java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /**
     * A request the firewall refuses for its method (TRACE, PROPFIND, a made-up one) is answered as a wrong method is
     * on its path: 405 with the path's {@code Allow}, in the one error shape. The default answer was a 400 with an
     * empty body: its error page, dispatched with the same method, was refused again. Other refusals (a path with
     * {@code //} or {@code ..}) keep the default, a 400 through the error page, which answers in the error shape.
     */
    @Bean
    public WebSecurityCustomizer useTheFirewall(HttpFirewall httpFirewall, KnownPaths knownPaths) {
        RequestRejectedHandler otherwise = new HttpStatusRequestRejectedHandler();
        return web -> web.httpFirewall(httpFirewall).requestRejectedHandler((request, response, rejected) -> {
            if (FIREWALL_METHODS.contains(request.getMethod())) {
                otherwise.handle(request, response, rejected);
            } else {
                knownPaths.answerWrongMethod(request, response);
            }
        });
    }

    /** The authority of a team key, which is for metered calls and its team's numbers only (ADR 32). */
    public static final String VIA_TEAM_KEY = "VIA_TEAM_KEY";

    /**
     * Where a team key may go: the metered surfaces, and reading the balance, history and usage of the account it
     * spends from. Everything that acts as its holder (moving money, keys, budgets, teams) needs their own
     * credentials, so a member's team key cannot move the team's money anywhere but into metered calls.
     */
    private static final String[] TEAM_KEY_PATHS = {"/v1/**", "/client/**", "/api/ai/**", "/api/usage/**",
            "/api/credits/balance", "/api/credits/transactions", "/api/credits/pricing",
            "/api/auth/me", "/api/teams/*/balance", "/api/teams/*/transactions", "/api/teams/*/usage/**"};

    /** What the dashboard needs and nothing more (ADR 31). */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Bean
    public SecurityFilterChain api(HttpSecurity http, JwtService jwt, ApiKeys apiKeys, UserDirectory users,
                                   ObjectMapper mapper, KnownPaths knownPaths) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // The dashboard and the API: scripts from files of this origin only, never inline. Swagger UI
                // (/docs) keeps its own page; it shows no account data until a key is typed into it.
                .headers(headers -> headers.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        request -> !request.getRequestURI().startsWith("/docs")
                                && !request.getRequestURI().startsWith("/swagger-ui"),
                        new StaticHeadersWriter("Content-Security-Policy", CONTENT_SECURITY_POLICY))))
                .addFilterBefore(new CredentialsFilter(jwt, apiKeys, users), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(auth -> auth
                        // Every method: these paths need no credentials, so a wrong method is a 405, never a 401.
                        .requestMatchers("/api/auth/register", "/api/auth/login").permitAll()
                        // Probes and scrapers carry no credentials; both answers hold no per-user data (ADR 16).
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/error")
                        .permitAll()
                        .requestMatchers("/api/admin/**", "/actuator/**").access(AuthorizationManagers.allOf(
                                AuthorityAuthorizationManager.hasRole("ADMIN"),
                                AuthorityAuthorizationManager.hasAuthority("VIA_TOKEN")))
                        .requestMatchers(TEAM_KEY_PATHS).authenticated()
                        .requestMatchers("/api/**").hasAnyAuthority("VIA_TOKEN", "VIA_API_KEY")
                        .anyRequest().permitAll())
                // A path that nothing serves is a 404 whoever asks, as it is past these checks: the checks guard
                // what exists, and a client that mistyped a path learns that, not that it must log in first.
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, failure) -> {
                            if (!knownPaths.answeredAsUnknown(request, response)) {
                                ErrorBody.write(request, response, mapper, 401, "unauthorized",
                                        request.getAttribute(CredentialsFilter.REJECTED) instanceof String why ? why
                                                : "Send a login token or API key: Authorization: Bearer <token>.");
                            }
                        })
                        .accessDeniedHandler((request, response, denied) -> {
                            if (!knownPaths.answeredAsUnknown(request, response)) {
                                ErrorBody.write(request, response, mapper, 403, "forbidden", viaTeamKey()
                                        ? "A team API key makes metered calls and reads its team's balance and usage;"
                                        + " anything else needs your own login token or API key."
                                        : "This needs the admin role and a login token (not an API key).");
                            }
                        }));
        return http.build();
    }

    private static boolean viaTeamKey() {
        var authentication = SecurityContextHolder.getContext().getAuthentication();
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(authority -> VIA_TEAM_KEY.equals(authority.getAuthority()));
    }
}
