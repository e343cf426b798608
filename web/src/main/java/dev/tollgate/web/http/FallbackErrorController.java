package dev.tollgate.web.http;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors raised outside Spring MVC (the servlet container, filters) also leave in the one error shape. Not part of
 * the API: hidden from its description.
 */
@Hidden
@RestController
public class FallbackErrorController implements ErrorController {

    @RequestMapping("/error")
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            // Asked for by a client, not forwarded by the container: there is no error to report, only a path
            // Tollgate does not serve.
            return ErrorHandling.answer(HttpStatus.NOT_FOUND, "not_found", "No such path.");
        }
        if (request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable failure
                && StorageOutage.causedBy(failure)) {
            // A filter (the credentials lookup) met the outage before any controller did.
            return StorageOutage.answer();
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        HttpStatus status = HttpStatus.resolve(code instanceof Integer i ? i : 500);
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        String errorCode = switch (status) {
            case NOT_FOUND -> "not_found";
            case BAD_REQUEST -> "invalid_request";
            case UNAUTHORIZED -> "unauthorized";
            case FORBIDDEN -> "forbidden";
            case PAYLOAD_TOO_LARGE -> "payload_too_large";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            default -> status.is5xxServerError() ? "internal_error" : "invalid_request";
        };
        return ErrorBody.answer(status).body(ErrorBody.of(errorCode, status.getReasonPhrase() + "."));
    }
}
