package dev.tollgate.web.http;

import dev.tollgate.web.limits.SignInThrottle;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirements;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.web.identity.ApiKey;
import dev.tollgate.web.identity.ApiKeys;
import dev.tollgate.web.identity.EmailAlreadyRegistered;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.identity.User;
import dev.tollgate.web.identity.UserDirectory;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import dev.tollgate.web.security.CredentialsFilter;
import dev.tollgate.web.security.JwtService;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/auth")
public class AuthController {
    /**
     * One @, a dot in the domain, and none of the characters an unquoted address cannot hold (RFC 5322: spaces,
     * {@code <>()[]\,;:"}); letters of any script are allowed, as internationalised addresses have them.
     */
    private static final Pattern EMAIL = Pattern.compile(
            "[^@\\s<>()\\[\\]\\\\,;:\"]{1,64}@[^@\\s<>()\\[\\]\\\\,;:\"]{1,255}\\.[^@\\s<>()\\[\\]\\\\,;:\"]{1,63}");

    private final UserDirectory users;
    private final ApiKeys apiKeys;
    private final PasswordEncoder passwords;
    private final JwtService jwt;
    private final Ledger ledger;
    private final SignInThrottle throttle;

    public AuthController(UserDirectory users, ApiKeys apiKeys, PasswordEncoder passwords, JwtService jwt,
                          Ledger ledger, SignInThrottle throttle) {
        this.throttle = throttle;
        this.users = users;
        this.apiKeys = apiKeys;
        this.passwords = passwords;
        this.jwt = jwt;
        this.ledger = ledger;
    }

    public record UserView(String id, String email, String username, String role) {
        static UserView of(User user) {
            return new UserView(user.id(), user.email(), user.username(), user.role().wireName());
        }
    }

    public record TokenView(String accessToken, String tokenType, long expiresIn) {
    }

    public record ApiKeyView(String id, String name, String prefix, Instant createdAt, Instant lastUsedAt,
                             boolean revoked) {
        static ApiKeyView of(ApiKey key) {
            return new ApiKeyView(key.id(), key.name(), key.prefix(), key.createdAt(), key.lastUsedAt(), key.revoked());
        }
    }

    public record CreatedApiKeyView(String id, String name, String key, String prefix, Instant createdAt) {
    }

    /** Registers a user and opens their account with balance 0. */
    @PostMapping("/register")
    @ResponseStatus(HttpStatus.CREATED)
    @SecurityRequirements
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Register.class)))
    public UserView register(@RequestBody JsonNode body) {
        String email = Amounts.requiredText(body, "email").trim();
        String password = Amounts.requiredText(body, "password");
        String username = Amounts.optionalText(body, "username", 100);
        if (!EMAIL.matcher(email).matches() || email.length() > 320) {
            throw ApiException.badRequest("email is not a valid address");
        }
        if (password.length() < 8 || password.length() > 72) {
            throw ApiException.badRequest("password must be 8 to 72 characters");
        }
        User user;
        try {
            user = users.create(email, username, passwords.encode(password), Role.USER);
        } catch (EmailAlreadyRegistered taken) {
            throw ApiException.conflict("email_taken", "This email is already registered.");
        }
        ledger.open(AccountId.of(user.id()));
        return UserView.of(user);
    }

    @PostMapping("/login")
    @SecurityRequirements
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Login.class)))
    public TokenView login(@RequestBody JsonNode body, HttpServletRequest request, HttpServletResponse response) {
        String email = Amounts.requiredText(body, "email");
        String password = Amounts.requiredText(body, "password");
        throttle.beforeLogin(request, response, email);
        User user = users.byEmail(email)
                .filter(found -> passwords.matches(password, found.passwordHash()))
                .orElse(null);
        if (user == null || user.disabled()) {
            throttle.loginFailed(request, email);
            // Only someone who knows the password learns that the account exists and why it cannot log in.
            throw ApiException.unauthorized(user == null ? "Wrong email or password."
                    : CredentialsFilter.DISABLED_MESSAGE);
        }
        JwtService.Issued issued = jwt.issue(user);
        return new TokenView(issued.token(), "bearer", issued.expiresInSeconds());
    }

    @GetMapping("/me")
    public UserView me(@AuthenticationPrincipal Caller caller) {
        return users.byId(caller.userId()).map(UserView::of)
                .orElseThrow(() -> ApiException.unauthorized("Unknown user."));
    }

    @PostMapping("/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.NewApiKey.class)))
    public CreatedApiKeyView createKey(@AuthenticationPrincipal Caller caller,
                                       @RequestBody(required = false) JsonNode body) {
        String name = Amounts.optionalText(Amounts.optionalObject(body), "name", 100);
        ApiKeys.Created created = apiKeys.create(caller.userId(), name == null || name.isBlank() ? "default" : name);
        ApiKey key = created.record();
        return new CreatedApiKeyView(key.id(), key.name(), created.key(), key.prefix(), key.createdAt());
    }

    @GetMapping("/api-keys")
    public List<ApiKeyView> keys(@AuthenticationPrincipal Caller caller) {
        return apiKeys.of(caller.userId()).stream().map(ApiKeyView::of).toList();
    }

    @DeleteMapping("/api-keys/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revoke(@AuthenticationPrincipal Caller caller, @PathVariable String id) {
        if (!apiKeys.revoke(caller.userId(), id)) {
            throw ApiException.notFound("api_key_not_found", "No such API key.");
        }
    }
}
