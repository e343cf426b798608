package dev.tollgate.web.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.core.Ordered;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * A wrong method or an unknown path under {@code /v1/}, in OpenAI's shape. Spring meets both before it picks a
 * controller, so {@link OpenAiErrors} (which speaks for its controller only) never sees them. This runs ahead of
 * the exception handlers and leaves every other path and failure to them (ADR 39).
 */
@Component
public class OpenAiRoutingErrors implements HandlerExceptionResolver, Ordered {
    private final ObjectMapper mapper;

    public OpenAiRoutingErrors(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response, Object handler,
                                         Exception failure) {
        String path = request.getRequestURI();
        if (!path.startsWith("/v1/")) {
            return null;
        }
        Map<String, Object> body;
        if (failure instanceof HttpRequestMethodNotSupportedException wrongMethod) {
            response.setStatus(405);
            wrongMethod.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
            body = OpenAiErrors.body("invalid_request_error", "Method " + request.getMethod() + " is not allowed on "
                    + path + ".", null, "method_not_allowed");
        } else if (failure instanceof NoResourceFoundException || failure instanceof NoHandlerFoundException) {
            response.setStatus(404);
            body = OpenAiErrors.body("invalid_request_error", "Invalid URL (" + request.getMethod() + " " + path + ")",
                    null, "not_found");
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
