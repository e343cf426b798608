package dev.tollgate.web.http;

import dev.tollgate.web.config.PerThreadIdentifiers;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HexFormat;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request Tollgate's request id: on the response header, in every error body and on every log
 * line of the request (MDC key {@code request_id}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestIds extends OncePerRequestFilter {
    public static final String HEADER = "X-Request-Id";
    private static final String MDC_KEY = "request_id";
    private static final String ATTRIBUTE = RequestIds.class.getName();

    private final com.fasterxml.jackson.databind.ObjectMapper mapper;

    public RequestIds(com.fasterxml.jackson.databind.ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public static String current() {
        String id = MDC.get(MDC_KEY);
        return id != null ? id : newId();
    }

    /** 128 random bits in hex, from the thread's own generator (one shared generator was a lock under load). */
    public static String newId() {
        return "req_" + HexFormat.of().formatHex(PerThreadIdentifiers.randomBytes(16));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String id = (String) request.getAttribute(ATTRIBUTE);
        if (id == null) {
            id = newId();
            request.setAttribute(ATTRIBUTE, id);
        }
        MDC.put(MDC_KEY, id);
        response.setHeader(HEADER, id);
        try {
            chain.doFilter(request, response);
        } catch (RuntimeException | ServletException failure) {
            // The credentials lookup runs in a filter, before Spring MVC's error handling: a database outage met
            // there is answered here, as the same clean 503 a controller would give.
            if (!StorageOutage.causedBy(failure) || response.isCommitted()) {
                throw failure;
            }
            StorageOutage.write(response, mapper);
        } finally {
            MDC.remove(MDC_KEY);
        }
    }

    @Override
    protected boolean shouldNotFilterErrorDispatch() {
        return false;
    }
}
