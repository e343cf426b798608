package dev.tollgate.web.http;

import dev.tollgate.api.LedgerRejection;
import dev.tollgate.api.account.AccountClosedException;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.InsufficientFundsException;
import dev.tollgate.api.account.UnknownHoldException;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.domain.metering.ProviderException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.NoHandlerFoundException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Maps every failure to the one error shape. Messages are written for the client; nothing internal (stack
 * traces, SQL, class names) is ever passed on — unexpected failures are logged with their request id instead.
 */
@RestControllerAdvice
public class ErrorHandling {
    /** Error bodies hold only strings and maps of them: a plain mapper writes them as the HTTP one would. */
    private static final ObjectMapper STREAM_JSON = new ObjectMapper();
    /** The longest Retry-After that OpenAI's and Cloudflare's SDKs wait for before retrying by themselves. */
    private static final long LONGEST_WAIT_CLIENTS_KEEP_SECONDS = 60;
    /** Every surface's words for Tollgate's own provider credentials being refused: the caller's call is fine. */
    public static final String PROVIDER_REFUSED_CREDENTIALS =
            "The AI provider refused Tollgate's credentials; the operator must check them.";

    private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

    private final ObjectMapper mapper;

    public ErrorHandling(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Map<String, Object>> api(ApiException e) {
        return answer(e.status(), e.code(), e.getMessage());
    }

    @ExceptionHandler(LedgerRejection.class)
    ResponseEntity<Map<String, Object>> rejection(LedgerRejection e) {
        HttpStatus status;
        if (e instanceof InsufficientFundsException || e instanceof BudgetExceededException) {
            status = HttpStatus.PAYMENT_REQUIRED;
        } else if (e instanceof IdempotencyConflictException || e instanceof AccountClosedException) {
            status = HttpStatus.CONFLICT;
        } else if (e instanceof UnknownHoldException) {
            status = HttpStatus.NOT_FOUND;
        } else {
            status = HttpStatus.BAD_REQUEST;
        }
        return answer(status, e.code(), e.getMessage());
    }

    @ExceptionHandler(ProviderException.class)
    ResponseEntity<Map<String, Object>> provider(ProviderException e) {
        return switch (e.kind()) {
            case BAD_INPUT -> answer(HttpStatus.BAD_REQUEST, "upstream_bad_request", e.getMessage());
            case MODEL_NOT_FOUND -> answer(HttpStatus.NOT_FOUND, "model_not_found", e.getMessage());
            case AUTHENTICATION -> answer(HttpStatus.BAD_GATEWAY, "upstream_auth", PROVIDER_REFUSED_CREDENTIALS);
            case RATE_LIMITED -> providerLimit(ErrorBody.answer(HttpStatus.TOO_MANY_REQUESTS), e)
                    .body(ErrorBody.of("rate_limited", e.getMessage()));
            case TIMEOUT -> answer(HttpStatus.GATEWAY_TIMEOUT, "upstream_timeout", e.getMessage());
            case TOO_LARGE -> answer(HttpStatus.PAYLOAD_TOO_LARGE, "too_large", e.getMessage());
            case UPSTREAM -> answer(HttpStatus.BAD_GATEWAY, "upstream_error", e.getMessage());
        };
    }

    /** A multipart body over spring.servlet.multipart's limits (the upload limit; other bodies stop in BodyLimit). */
    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<Map<String, Object>> tooLarge(MaxUploadSizeExceededException e) {
        return answer(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "The uploaded body is too large.");
    }

    @ExceptionHandler(ArithmeticException.class)
    ResponseEntity<Map<String, Object>> overflow(ArithmeticException e) {
        return answer(HttpStatus.BAD_REQUEST, "amount_overflow", "The amounts involved exceed what the ledger can hold.");
    }

    @ExceptionHandler(AggregateNotFoundException.class)
    ResponseEntity<Map<String, Object>> noAccount(AggregateNotFoundException e) {
        return answer(HttpStatus.NOT_FOUND, "account_not_found", "No such account.");
    }

    /**
     * The firewall refuses a header value only when a controller reads it, so the refusal arrives here: the request
     * is what is wrong, not the server.
     */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<Map<String, Object>> rejected(RequestRejectedException e) {
        return answer(HttpStatus.BAD_REQUEST, "invalid_request", REJECTED_HEADER);
    }

    public static final String REJECTED_HEADER = "A header of the request holds characters that are not allowed.";

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return answer(HttpStatus.BAD_REQUEST, "invalid_json",
                "The request body is not valid JSON of the expected shape (amounts are decimal strings).");
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class,
            MissingRequestHeaderException.class, IllegalArgumentException.class})
    ResponseEntity<Map<String, Object>> badParameter(Exception e) {
        return answer(HttpStatus.BAD_REQUEST, "invalid_request", safeMessage(e));
    }

    /** A 405 names the methods the path does support in {@code Allow}, as HTTP requires. */
    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        ResponseEntity.BodyBuilder answer = ErrorBody.answer(HttpStatus.METHOD_NOT_ALLOWED);
        if (e.getSupportedHttpMethods() != null) {
            answer.allow(e.getSupportedHttpMethods().toArray(HttpMethod[]::new));
        }
        return answer.body(ErrorBody.of("method_not_allowed", "Method " + e.getMethod() + " is not allowed here."));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send application/json.");
    }

    /**
     * The client accepts none of what this path answers: still the one error shape, written around content
     * negotiation, which would otherwise refuse to write JSON too and leave the body empty.
     */
    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    void notAcceptable(HttpServletResponse response) throws IOException {
        ErrorBody.write(response, mapper, HttpStatus.NOT_ACCEPTABLE.value(), "not_acceptable",
                "This path answers application/json (and text/csv where an export is offered).");
    }

    @ExceptionHandler({NoHandlerFoundException.class, NoResourceFoundException.class})
    ResponseEntity<Map<String, Object>> notFound(Exception e) {
        return answer(HttpStatus.NOT_FOUND, "not_found", "No such path.");
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletResponse response) {
        if (clientGone(e)) {
            return null;
        }
        ResponseEntity<Map<String, Object>> answer;
        if (StorageOutage.causedBy(e)) {
            // A commit cut off mid-way may or may not have landed; an idempotency key makes the retry safe.
            log.warn("storage unavailable: {}", StorageOutage.summary(e));
            answer = StorageOutage.answer();
        } else {
            log.error("unexpected failure", e);
            answer = answer(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error",
                    "Something went wrong on our side; quote the request id when you report it.");
        }
        return endStreamOr(response, answer);
    }

    /**
     * Whether the failure is the client having gone away while its answer was written (it closed the connection): not
     * a fault of Tollgate's, and nobody is left to answer. Logged at debug, with no trace.
     */
    public static boolean clientGone(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof org.apache.catalina.connector.ClientAbortException
                    || t instanceof org.springframework.web.context.request.async.AsyncRequestNotUsableException) {
                log.debug("the client went away before its answer was written: {}", t.toString());
                return true;
            }
        }
        return false;
    }

    /**
     * {@code answer}, unless a stream is already under way: it cannot change its status, so its last event is the
     * error instead, in the surface's shape, and the client learns why it ended rather than seeing it stop.
     */
    public static ResponseEntity<Map<String, Object>> endStreamOr(HttpServletResponse response,
                                                                  ResponseEntity<Map<String, Object>> answer) {
        if (!response.isCommitted()) {
            return answer;
        }
        endStream(response, answer.getBody());
        return null;
    }

    private static void endStream(HttpServletResponse response, Map<String, Object> error) {
        String type = response.getContentType();
        if (type == null || !type.startsWith("text/event-stream")) {
            return;
        }
        try {
            response.getOutputStream().write(("data: " + STREAM_JSON.writeValueAsString(error) + "\n\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            response.getOutputStream().flush();
        } catch (IOException | IllegalStateException gone) {
            // The client left, or the response is written through a writer: there is no one to tell.
        }
    }

    /** Our own IllegalArgumentExceptions come from value types whose messages are written for clients. */
    private static String safeMessage(Exception e) {
        if (e instanceof IllegalArgumentException && e.getMessage() != null) {
            return e.getMessage();
        }
        if (e instanceof MissingServletRequestParameterException missing) {
            return "Missing parameter " + missing.getParameterName() + ".";
        }
        if (e instanceof MethodArgumentTypeMismatchException mismatch) {
            Class<?> type = mismatch.getRequiredType();
            boolean whole = type == int.class || type == Integer.class || type == long.class || type == Long.class;
            return "Parameter " + mismatch.getName() + (whole ? " must be a whole number in range." : " has the wrong type.");
        }
        if (e instanceof MissingRequestHeaderException header) {
            return "Missing header " + header.getHeaderName() + ".";
        }
        return "Invalid request.";
    }

    /**
     * The provider's wait in whole seconds, for every surface's 429. At least 1: a client told 0 (or nothing) comes
     * straight back into the same limit.
     */
    public static String retryAfter(ProviderException e) {
        return String.valueOf(e.retryAfterSeconds() == null ? 1 : Math.max(1, e.retryAfterSeconds()));
    }

    /**
     * A provider's 429 as headers: {@code Retry-After}, and for a wait longer than a minute (Workers AI's used-up
     * daily allocation waits for 00:00 UTC) {@code x-should-retry: false}. OpenAI's and Cloudflare's SDKs wait at most
     * a minute for a {@code Retry-After} and otherwise retry at once on their own backoff, which here only spends
     * calls that cannot succeed; that header is the one they obey instead.
     */
    public static ResponseEntity.BodyBuilder providerLimit(ResponseEntity.BodyBuilder answer, ProviderException e) {
        String seconds = retryAfter(e);
        answer.header("Retry-After", seconds);
        if (Long.parseLong(seconds) > LONGEST_WAIT_CLIENTS_KEEP_SECONDS) {
            answer.header("x-should-retry", "false");
        }
        return answer;
    }

    static ResponseEntity<Map<String, Object>> answer(HttpStatus status, String code, String message) {
        return ErrorBody.answer(status).body(ErrorBody.of(code, message));
    }
}
