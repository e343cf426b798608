package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * A wrong method or an unknown path under a drop-in surface, in that surface's own error shape. Spring meets both
 * before it picks a controller, so the surface's own error advice (which speaks for its controllers only) never sees
 * them. This runs ahead of the exception handlers and leaves every other path and failure to them (ADR 39).
 */
public abstract class RoutingErrors implements HandlerExceptionResolver, Ordered {
    private final ObjectMapper mapper;

    protected RoutingErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Whether the path belongs to this surface. */
    protected abstract boolean covers(String path);

    /** The surface's body for a 405. */
    protected abstract Map<String, Object> wrongMethod(String method, String path);

    /** The surface's body for a 404. */
    protected abstract Map<String, Object> unknownPath(String method, String path);

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception failure) {
        String path = request.getRequestURI();
        if (!covers(path)) {
            return null;
        }
        Map<String, Object> body;
        if (failure instanceof HttpRequestMethodNotSupportedException notAllowed) {
            response.setStatus(405);
            notAllowed.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            body = wrongMethod(request.getMethod(), path);
        } else if (failure instanceof NoResourceFoundException || failure instanceof NoHandlerFoundException) {
            response.setStatus(404);
            body = unknownPath(request.getMethod(), path);
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
