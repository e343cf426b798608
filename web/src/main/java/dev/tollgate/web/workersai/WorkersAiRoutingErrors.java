package dev.tollgate.web.workersai;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * A wrong method or an unknown path under {@code /client/v4/accounts/{account}/ai/}, in Cloudflare's envelope: 405
 * with Tollgate's code 9405, 404 with Cloudflare's 7003 "Could not route". Spring meets both before it picks a
 * controller, so {@link WorkersAiErrors} (which speaks for its controller only) never sees them. This runs ahead of
 * the exception handlers and leaves every other path and failure to them (ADR 39).
 */
@Component
public class WorkersAiRoutingErrors implements HandlerExceptionResolver, Ordered {
    private static final Pattern AI_PATHS = Pattern.compile("^/client/v4/accounts/[^/]+/ai(/.*)?$");

    private final ObjectMapper mapper;

    public WorkersAiRoutingErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception failure) {
        String path = request.getRequestURI();
        if (!AI_PATHS.matcher(path).matches()) {
            return null;
        }
        Map<String, Object> body;
        if (failure instanceof HttpRequestMethodNotSupportedException wrongMethod) {
            response.setStatus(405);
            wrongMethod.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            body = WorkersAiErrors.body(9405, "Method " + request.getMethod() + " not allowed on this path");
        } else if (failure instanceof NoResourceFoundException || failure instanceof NoHandlerFoundException) {
            response.setStatus(404);
            body = WorkersAiErrors.body(7003, "Could not route to " + path);
        } else {
            return null;
        }
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        try {
            mapper.writeValue(response.getOutputStream(), body);
        } catch (IOException clientGone) {
            // Nothing more can be said to this client.
        }
        return new ModelAndView();
    }

    /** Before Spring MVC's own resolvers (order 0), after Boot's, which only notes the failure for /error. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
