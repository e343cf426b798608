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
 * Logins count only when they fail: password guessing is what is slowed, while many people signing in behind one
 * address are not. Once an address has failed its limit, every login from it waits, right password or not.
 * Registrations count every attempt, taken or not, since a refused one still probes which emails exist.
 */
class SignInThrottle implements HandlerInterceptor {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final String LOGIN = "/api/auth/login";
    private static final String REGISTER = "/api/auth/register";

    private final long loginFailures;
    private final long registrations;
    private final SlidingWindows failures;
    private final SlidingWindows attempts;

    SignInThrottle(RateLimitProperties limits, Clock clock) {
        this.loginFailures = limits.loginFailuresPerMinute();
        this.registrations = limits.registrationsPerMinute();
        // 5-second slots: a few hundred bytes per address, however many addresses knock.
        this.failures = new SlidingWindows(clock, MINUTE, 12, limits.trackedKeys());
        this.attempts = new SlidingWindows(clock, MINUTE, 12, limits.trackedKeys());
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        if (!"POST".equals(request.getMethod()) || request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        String address = request.getRemoteAddr();
        if (LOGIN.equals(request.getRequestURI()) && loginFailures > 0
                && failures.used(address) >= loginFailures) {
            refuse(response, failures.millisUntilAtMost(address, loginFailures - 1),
                    "Too many failed logins from your address");
        }
        if (REGISTER.equals(request.getRequestURI()) && registrations > 0
                && !attempts.tryAdd(address, 1, registrations)) {
            refuse(response, attempts.millisUntilAtMost(address, registrations - 1),
                    "Too many registrations from your address");
        }
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                                Exception failure) {
        int status = response.getStatus();
        if (loginFailures > 0 && LOGIN.equals(request.getRequestURI()) && (status == 401 || status == 403)) {
            failures.add(request.getRemoteAddr(), 1);
        }
    }

    private static void refuse(HttpServletResponse response, long waitMillis, String why) {
        long seconds = Math.max(1, (waitMillis + 999) / 1000);
        response.setHeader("Retry-After", String.valueOf(seconds));
        throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", why + "; retry after " + seconds + " s.");
    }
}
