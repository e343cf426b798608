package dev.tollgate.web.workersai;

import jakarta.servlet.http.HttpServletResponse;
import dev.tollgate.api.LedgerRejection;
import dev.tollgate.api.account.InsufficientFundsException;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.http.ApiException;
import dev.tollgate.web.http.ErrorBody;
import dev.tollgate.web.http.ErrorHandling;
import java.util.LinkedHashMap;
import java.util.List;
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

/**
 * Errors of the Cloudflare-format surface, in Cloudflare's envelope and codes. Tollgate's own refusals use codes
 * of its own range (9xxx) so a client can tell them from the provider's: 9402 insufficient funds, 9429 Tollgate's
 * own rate limit, 9415 a body of a type it does not read, 9502 the provider failed or refused Tollgate.
 */
@RestControllerAdvice(assignableTypes = WorkersAiController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
public class WorkersAiErrors {
    private static final Logger log = LoggerFactory.getLogger(WorkersAiErrors.class);

    @ExceptionHandler(WorkersAiError.class)
    ResponseEntity<Map<String, Object>> own(WorkersAiError e) {
        return answer(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e) {
        int status = e.status().value();
        // 3006 is Cloudflare's own code for a request too large, as the body limit answers here too.
        return answer(status, status == 429 ? 9429 : status == 413 ? 3006 : 9400, e.getMessage());
    }

    @ExceptionHandler(LedgerRejection.class)
    ResponseEntity<Map<String, Object>> ledger(LedgerRejection e) {
        if (e instanceof InsufficientFundsException) {
            return answer(402, 9402, "insufficient_funds: " + e.getMessage());
        }
        if (e instanceof BudgetExceededException) {
            return answer(402, 9402, "budget_exceeded: " + e.getMessage());
        }
        return answer(409, 9409, e.code() + ": " + e.getMessage());
    }

    @ExceptionHandler(ProviderException.class)
    ResponseEntity<Map<String, Object>> provider(ProviderException e) {
        int status = switch (e.kind()) {
            case BAD_INPUT -> 400;
            // As Cloudflare answers them: 404 for 3042 (invalid model id), 400 for 5007 and Tollgate's own lookups.
            case MODEL_NOT_FOUND -> e.upstreamStatus() == 404 ? 404 : 400;
            case RATE_LIMITED -> 429;
            case TIMEOUT -> 504;
            case TOO_LARGE -> 413;
            case AUTHENTICATION, UPSTREAM -> 502;
        };
        int code = switch (e.kind()) {
            case MODEL_NOT_FOUND -> upstreamCodeOr(e, 5007);
            case BAD_INPUT -> upstreamCodeOr(e, 5006);
            case RATE_LIMITED -> upstreamCodeOr(e, 3040);
            case TIMEOUT -> upstreamCodeOr(e, 3007);
            case TOO_LARGE -> upstreamCodeOr(e, 3006);
            // A 502 is Tollgate's upstream failing, never the caller's doing, so it carries Tollgate's own code:
            // Cloudflare's would speak of the caller's account to their SDK (10000 reads as "your token is bad").
            case AUTHENTICATION, UPSTREAM -> 9502;
        };
        String message = e.kind() == ProviderException.Kind.AUTHENTICATION
                ? ErrorHandling.PROVIDER_REFUSED_CREDENTIALS : e.getMessage();
        ResponseEntity.BodyBuilder builder = ErrorBody.answer(status);
        if (e.kind() == ProviderException.Kind.RATE_LIMITED) {
            ErrorHandling.providerLimit(builder, e);
        }
        return builder.body(body(code, message));
    }

    private static int upstreamCodeOr(ProviderException e, int code) {
        return e.upstreamCode() != null ? e.upstreamCode() : code;
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return answer(400, 5006, "AiError: Bad input: the body is not valid JSON");
    }

    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<Map<String, Object>> rejected(RequestRejectedException e) {
        return answer(400, 5006, "AiError: Bad input: " + ErrorHandling.REJECTED_HEADER);
    }

    /** A body that is neither JSON nor a recording (a form as curl -d sends it, text/plain) is the caller's to fix. */
    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return answer(415, 9415, "Unsupported content type: send JSON (application/json), or a recording as "
                + "application/octet-stream or audio/*");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletResponse response) {
        if (ErrorHandling.clientGone(e)) {
            return null;
        }
        log.error("unexpected failure", e);
        return ErrorHandling.endStreamOr(response, answer(500, 9500, "Internal error"));
    }

    static Map<String, Object> body(int code, String message) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("errors", List.of(Map.of("message", message, "code", code)));
        envelope.put("success", false);
        envelope.put("result", Map.of());
        envelope.put("messages", List.of());
        return envelope;
    }

    private static ResponseEntity<Map<String, Object>> answer(int status, int code, String message) {
        return ErrorBody.answer(status).body(body(code, message));
    }
}
