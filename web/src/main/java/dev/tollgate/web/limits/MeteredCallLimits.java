package dev.tollgate.web.limits;

import dev.tollgate.web.http.ApiException;
import dev.tollgate.web.http.RequestIds;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.DispatcherType;
import java.util.function.BiPredicate;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * Admits or refuses each metered AI call before its controller runs, so a refused call places no hold and never
 * reaches the provider. Runs inside Spring MVC, so a refusal is answered by the surface's own error handling
 * (Tollgate's shape, OpenAI's on /v1, Cloudflare's envelope on /client/v4). A retry whose Idempotency-Key names a
 * call already made is let through uncounted: it is answered from the first call, as the contract promises, and
 * reaches no model.
 */
class MeteredCallLimits implements HandlerInterceptor {
    private static final String ADMITTED = MeteredCallLimits.class.getName() + ".admitted";

    private final AiRateLimits limits;
    /** Whether this caller already made the call this Idempotency-Key names. */
    private final BiPredicate<Caller, String> retries;

    MeteredCallLimits(AiRateLimits limits, BiPredicate<Caller, String> retries) {
        this.limits = limits;
        this.retries = retries;
    }

    @Override
    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        // Only POSTs call a model (reading the catalogue is free); an async or error dispatch was admitted already.
        if (!"POST".equals(request.getMethod()) || request.getDispatcherType() != DispatcherType.REQUEST) {
            return true;
        }
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !(authentication.getPrincipal() instanceof Caller caller)) {
            return true;
        }
        String key = request.getHeader("Idempotency-Key");
        if (key != null && limits.limitsAnything() && retries.test(caller, key)) {
            // A retry of a call already made answers from the first call: it reaches no model and is not counted.
            limits.reading(caller).forEach(response::setHeader);
            return true;
        }
        String requestId = RequestIds.current();
        AiRateLimits.Admission admission = limits.admit(caller, requestId);
        admission.headers().forEach(response::setHeader);
        if (!admission.admitted()) {
            response.setHeader("Retry-After", String.valueOf(admission.retryAfterSeconds()));
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited", "Rate limit reached ("
                    + admission.reason() + "); retry after " + admission.retryAfterSeconds() + " s.");
        }
        request.setAttribute(ADMITTED, requestId);
        return true;
    }

    @Override
    public void afterCompletion(HttpServletRequest request, HttpServletResponse response, Object handler,
                                Exception failure) {
        Object requestId = request.getAttribute(ADMITTED);
        if (requestId != null) {
            limits.finished((String) requestId);
        }
    }
}
