package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The one error shape: {"error":{"code","message","request_id"}}. */
public final class ErrorBody {
    private ErrorBody() {
    }

    /**
     * The start of every error answer, on every surface: JSON whatever the request's Accept says. Left to content
     * negotiation, an error would be weighed against an Accept meant for the success (an SSE client's
     * text/event-stream) and turn into a 406 that hides why the call failed; SDKs read a JSON error before a stream.
     */
    public static ResponseEntity.BodyBuilder answer(HttpStatusCode status) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON);
    }

    public static ResponseEntity.BodyBuilder answer(int status) {
        return answer(HttpStatusCode.valueOf(status));
    }

    public static Map<String, Object> of(String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("request_id", RequestIds.current());
        return Map.of("error", error);
    }

    /**
     * For filters that answer before Spring MVC is reached; the OpenAI drop-in surface gets OpenAI's error shape
     * so that SDKs raise their usual authentication errors.
     */
    public static void write(jakarta.servlet.http.HttpServletRequest request, HttpServletResponse response,
                             ObjectMapper mapper, int status, String code, String message) throws IOException {
        if (request.getRequestURI().startsWith("/v1/")) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", status == 401 ? "invalid_request_error" : "permission_error");
            error.put("param", null);
            error.put("code", status == 401 ? "invalid_api_key" : code);
            response.setStatus(status);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            mapper.writeValue(response.getOutputStream(), Map.of("error", error));
            return;
        }
        if (request.getRequestURI().startsWith("/client/")) {
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("errors", java.util.List.of(Map.of("message",
                    status == 401 ? "Authentication error" : message, "code", 10000)));
            envelope.put("success", false);
            envelope.put("result", Map.of());
            envelope.put("messages", java.util.List.of());
            response.setStatus(status);
            response.setContentType(MediaType.APPLICATION_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            mapper.writeValue(response.getOutputStream(), envelope);
            return;
        }
        write(response, mapper, status, code, message);
    }

    /** For filters that answer before Spring MVC is reached. */
    public static void write(HttpServletResponse response, ObjectMapper mapper, int status, String code,
                             String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        mapper.writeValue(response.getOutputStream(), of(code, message));
    }
}
