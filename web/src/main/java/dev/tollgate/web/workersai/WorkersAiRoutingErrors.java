package dev.tollgate.web.workersai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.web.http.RoutingErrors;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * A wrong method or an unknown path anywhere under {@code /client/v4/} (Tollgate serves only the AI run path there),
 * in Cloudflare's envelope: 405 with Tollgate's code 9405, 404 with Cloudflare's 7003 "Could not route" (ADR 39).
 */
@Component
public class WorkersAiRoutingErrors extends RoutingErrors {
    private static final Pattern CLOUDFLARE_PATHS = Pattern.compile("^/client/v4(/.*)?$");

    public WorkersAiRoutingErrors(ObjectMapper mapper) {
        super(mapper);
    }

    @Override
    protected boolean covers(String path) {
        return CLOUDFLARE_PATHS.matcher(path).matches();
    }

    @Override
    protected Map<String, Object> wrongMethod(String method, String path) {
        return WorkersAiErrors.body(9405, "Method " + method + " not allowed on this path");
    }

    @Override
    protected Map<String, Object> unknownPath(String method, String path) {
        return WorkersAiErrors.body(7003, "Could not route to " + path);
    }
}
