package dev.tollgate.web.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.web.http.RoutingErrors;
import java.util.Map;
import org.springframework.stereotype.Component;

/** A wrong method or an unknown path under {@code /v1/}, in OpenAI's shape (ADR 39). */
@Component
public class OpenAiRoutingErrors extends RoutingErrors {

    public OpenAiRoutingErrors(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    protected boolean covers(String path) {
        return path.startsWith("/v1/");
    }

    @Override
    protected Map<String, Object> wrongMethod(String method, String path) {
        return OpenAiErrors.body("invalid_request_error", "Method " + method + " is not allowed on " + path + ".", null,
                "method_not_allowed");
    }

    @Override
    protected Map<String, Object> unknownPath(String method, String path) {
        return OpenAiErrors.body("invalid_request_error", "Invalid URL (" + method + " " + path + ")", null,
                "not_found");
    }
}
