package dev.tollgate.web.openai;

import jakarta.servlet.http.HttpServletResponse;
import dev.tollgate.api.LedgerRejection;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.InsufficientFundsException;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.http.ApiException;
import dev.tollgate.web.http.ErrorBody;
import dev.tollgate.web.http.ErrorHandling;
import dev.tollgate.web.http.RequestIds;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** Errors of the OpenAI drop-in surface, in OpenAI's own shape, so SDKs raise their usual exceptions. */
@RestControllerAdvice(assignableTypes = OpenAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class OpenAiErrors {
    private static final Logger log = LoggerFactory.getLogger(OpenAiErrors.class);

    @ExceptionHandler(OpenAiError.class)
    ResponseEntity<Map<String, Object>> own(OpenAiError e) {
        return answer(e.status(), e.type(), e.getMessage(), e.param(), "invalid_request");
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e) {
        String type = e.status().value() == 429 ? "rate_limit_error" : "invalid_request_error";
        return answer(e.status().value(), type, e.getMessage(), null, e.code());
    }

    @ExceptionHandler(LedgerRejection.class)
    ResponseEntity<Map<String, Object>> ledger(LedgerRejection e) {
        if (e instanceof InsufficientFundsException || e instanceof BudgetExceededException) {
            return answer(402, "insufficient_quota", e.getMessage(), null, e.code());
        }
        if (e instanceof IdempotencyConflictException) {
            return answer(409, "invalid_request_error", e.getMessage(), null, e.code());
        }
        return answer(400, "invalid_request_error", e.getMessage(), null, e.code());
    }

    @ExceptionHandler(ProviderException.class)
    ResponseEntity<Map<String, Object>> provider(ProviderException e) {
        return switch (e.kind()) {
            case BAD_INPUT -> answer(400, "invalid_request_error", e.getMessage(), null, "upstream_bad_request");
            case MODEL_NOT_FOUND -> answer(404, "invalid_request_error", e.getMessage(), "model", "model_not_found");
            case RATE_LIMITED -> ErrorHandling.providerLimit(ErrorBody.answer(429), e)
                    .body(body("rate_limit_error", e.getMessage(), null, "rate_limited"));
            case TIMEOUT -> answer(504, "server_error", e.getMessage(), null, "upstream_timeout");
            case TOO_LARGE -> answer(413, "invalid_request_error", e.getMessage(), null, "too_large");
            case AUTHENTICATION -> answer(502, "server_error", ErrorHandling.PROVIDER_REFUSED_CREDENTIALS, null,
                    "upstream_error");
            case UPSTREAM -> answer(502, "server_error", e.getMessage(), null, "upstream_error");
        };
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return answer(400, "invalid_request_error", "The request body is not valid JSON.", null, "invalid_json");
    }

    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<Map<String, Object>> rejected(RequestRejectedException e) {
        return answer(400, "invalid_request_error", ErrorHandling.REJECTED_HEADER, null, "invalid_request");
    }

    /** A body not declared as JSON (a form as curl -d sends it, text/plain, no Content-Type) is the caller's to fix. */
    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return answer(415, "invalid_request_error", "Send the body as JSON, with Content-Type: application/json.",
                null, "unsupported_media_type");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletResponse response) {
        if (ErrorHandling.clientGone(e)) {
            return null;
        }
        log.error("unexpected failure", e);
        return ErrorHandling.endStreamOr(response, answer(500, "server_error",
                "Something went wrong on our side (request " + RequestIds.current() + ").", null, "internal_error"));
    }

    static Map<String, Object> body(String type, String message, String param, String code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

    private static ResponseEntity<Map<String, Object>> answer(int status, String type, String message, String param,
                                                              String code) {
        return ErrorBody.answer(status).body(body(type, message, param, code));
    }
}
