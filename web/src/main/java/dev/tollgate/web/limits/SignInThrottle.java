package dev.tollgate.web.limits;

import dev.tollgate.web.http.ApiException;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Login and registration per client address ({@code getRemoteAddr()}: behind a proxy, let the server resolve the
 * client through {@code server.forward-headers-strategy}; a header the client writes itself is never believed).
 * Logins count only when they fail, and per address <em>and</em> account: guessing one account's password is what
 * is slowed (once the pair has failed its limit, every login to that account from that address waits, right password
 * or not), while other people signing in behind the same address are not locked out by someone else's typos. An
 * address that fails ten times that limit across accounts (spraying guesses) waits for every login.
 * Registrations count every attempt, taken or not, since a refused one still probes which emails exist.
 */
public class SignInThrottle implements HandlerInterceptor {
    /** How many accounts' worth of failures an address may spend before all its logins wait. */
    private static final int SPRAY_FACTOR = 10;
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final String LOGIN = "/api/auth/login";
    private static final String REGISTER = "/api/auth/register";

    private final long loginFailures;
    private final long registrations;
    private final SlidingWindows failures;
    private final SlidingWindows addressFailures;
    private final SlidingWindows attempts;

    SignInThrottle(RateLimitProperties limits, Clock clock) {
        this.loginFailures = limits.loginFailuresPerMinute();
        this.registrations = limits.registrationsPerMinute();
        // 5-second slots: a few hundred bytes per address, however many addresses knock.
        this.failures = new SlidingWindows(clock, MINUTE, 12, limits.trackedKeys());
        this.addressFailures = new SlidingWindows(clock, MINUTE, 12, limits.trackedKeys());
        this.attempts = new SlidingWindows(clock, MINUTE, 12, limits.trackedKeys());
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!"POST".equals(request.getMethod()) || request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        String address = request.getRemoteAddr();
        if (LOGIN.equals(request.getRequestURI()) && loginFailures > 0
                && addressFailures.used(address) >= loginFailures * SPRAY_FACTOR) {
            refuse(response, addressFailures.millisUntilAtMost(address, loginFailures * SPRAY_FACTOR - 1),
                    "Too many failed logins from your address");
        }
        if (REGISTER.equals(request.getRequestURI()) && registrations > 0
                && !attempts.tryAdd(address, 1, registrations)) {
            refuse(response, attempts.millisUntilAtMost(address, registrations - 1),
                    "Too many registrations from your address");
        }
        return true;
    }

    /** Called by the login before the password is checked: refuses a pair that has failed its limit. */
    public void beforeLogin(HttpServletRequest request, HttpServletResponse response, String email) {
        if (loginFailures > 0) {
            String pair = pair(request, email);
            if (failures.used(pair) >= loginFailures) {
                refuse(response, failures.millisUntilAtMost(pair, loginFailures - 1),
                        "Too many failed logins to this account from your address");
            }
        }
    }

    /** Called by the login when the email and password did not let anyone in. */
    public void loginFailed(HttpServletRequest request, String email) {
        if (loginFailures > 0) {
            failures.add(pair(request, email), 1);
            addressFailures.add(request.getRemoteAddr(), 1);
        }
    }

    private static String pair(HttpServletRequest request, String email) {
        return request.getRemoteAddr() + "\u0000" + email.trim().toLowerCase(java.util.Locale.ROOT);
    }

    private static void refuse(HttpServletResponse response, long waitMillis, String why) {
        long seconds = Math.max(1, (waitMillis + 999) / 1000);
        response.setHeader("Retry-After", String.valueOf(seconds));
        throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", why + "; retry after " + seconds + " s.");
    }
}
