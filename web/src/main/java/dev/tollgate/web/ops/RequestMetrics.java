package dev.tollgate.web.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Counts every HTTP request by surface and status ({@code tollgate_requests_total}). Surfaces, not paths: a path
 * label would grow with every user id and model in a URL.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class RequestMetrics extends OncePerRequestFilter {
    private final MeterCache<Counter> requests;

    public RequestMetrics(MeterRegistry meters) {
        this.requests = new MeterCache<>(labels -> Counter.builder("tollgate.requests")
                .description("HTTP requests answered, by surface and status")
                .tag("surface", labels.get(0))
                .tag("status", labels.get(1))
                .register(meters));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        int status = 500; // what the container answers when a failure escapes the chain
        try {
            chain.doFilter(request, response);
            status = response.getStatus();
        } finally {
            requests.get(surface(request.getRequestURI()), Integer.toString(status)).increment();
        }
    }

    static String surface(String path) {
        if (path.startsWith("/api/admin/")) {
            return "admin";
        }
        if (path.startsWith("/api/ai/")) {
            return "ai";
        }
        if (path.startsWith("/api/")) {
            return "api";
        }
        if (path.startsWith("/v1/")) {
            return "openai";
        }
        if (path.startsWith("/client/")) {
            return "cloudflare";
        }
        if (path.startsWith("/actuator")) {
            return "operator";
        }
        if (path.startsWith("/v3/api-docs") || path.startsWith("/docs") || path.startsWith("/swagger-ui")) {
            return "docs";
        }
        return "other";
    }
}
