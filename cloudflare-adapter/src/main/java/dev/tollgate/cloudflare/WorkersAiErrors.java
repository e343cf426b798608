package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Turns Cloudflare's error answers (status plus {@code {"errors":[{"code","message"}],"success":false}}) into
 * classified {@link ProviderException}s, following the errors table of the Workers AI reference. Messages are
 * written for Tollgate's client; Cloudflare's own text is appended only where it helps them fix their request,
 * and the API token is scrubbed from anything that came from upstream. Hints about Tollgate's own configuration go
 * to the log, never into a message a caller may read.
 */
final class WorkersAiErrors {

    private static final Logger log = LoggerFactory.getLogger(WorkersAiErrors.class);

    private static final int MAX_UPSTREAM_TEXT = 300;

    private final ObjectMapper json;
    private final String apiToken;
    private final Clock clock;

    WorkersAiErrors(ObjectMapper json, String apiToken, Clock clock) {
        this.clock = clock;
        this.json = json;
        this.apiToken = apiToken;
    }

    /**
     * Classifies a non-2xx answer.
     *
     * @param model the model that was run, or null for the catalog (where a 404 cannot mean "no such model")
     */
    UpstreamFailure fromStatus(int status, String body, Long retryAfter, String model) {
        ErrorBody error = parse(body);
        Integer code = error.code();
        String detail = error.message() == null ? "" : ": " + error.message();
        String codeText = code == null ? "" : " (code " + code + ")";
        String about = model == null ? "the model catalog" : model;
        if (status >= 500) {
            return failure(Kind.UPSTREAM, "Workers AI failed with HTTP " + status + codeText, status, code,
                    retryAfter, true);
        }
        switch (status) {
            case 400:
                if (code != null && code == 5007) {
                    return failure(Kind.MODEL_NOT_FOUND, "Workers AI has no model " + about + codeText, status,
                            code, retryAfter, false);
                }
                return failure(Kind.BAD_INPUT, "Workers AI refused the request as invalid" + codeText + detail,
                        status, code, retryAfter, false);
            case 401:
            case 403:
                // 5016 and 3023 are the operator's account, not the caller's input: nothing they resend will help.
                if (code != null && code == 5016) {
                    return failure(Kind.UPSTREAM, "The Cloudflare account has not accepted the terms of "
                            + about + codeText, status, code, retryAfter, false);
                }
                if (code != null && code == 3023) {
                    return failure(Kind.UPSTREAM, "The Cloudflare account is blocked from Workers AI" + codeText,
                            status, code, retryAfter, false);
                }
                log.warn("Workers AI refused Tollgate's credentials (HTTP {}, code {}): check CLOUDFLARE_API_KEY, "
                        + "and that the token may use Workers AI on CLOUDFLARE_ACCOUNT_ID", status, code);
                return failure(Kind.AUTHENTICATION, "Workers AI refused Tollgate's credentials" + codeText, status,
                        code, retryAfter, false);
            case 404:
                if ((code != null && code == 7003) || model == null) {
                    // 7003 "Could not route": the account or path is wrong, which is Tollgate's configuration,
                    // not the client's model choice. The hint is the operator's, so it goes to the log.
                    log.warn("Workers AI could not route a call (HTTP {}, code {}): check CLOUDFLARE_ACCOUNT_ID and "
                            + "CLOUDFLARE_API_BASE", status, code);
                    return failure(Kind.UPSTREAM, "Workers AI could not route the request" + codeText
                                    + "; the operator must check Tollgate's provider settings",
                            status, code, retryAfter, false);
                }
                return failure(Kind.MODEL_NOT_FOUND, "Workers AI has no model " + about + codeText, status, code,
                        retryAfter, false);
            case 408:
                return failure(Kind.TIMEOUT, "Workers AI timed out on the request" + codeText, status, code,
                        retryAfter, true);
            case 413:
                return failure(Kind.TOO_LARGE, "The request is too large for Workers AI" + codeText, status, code,
                        retryAfter, false);
            case 429:
                if (code != null && (code == 3036 || code == 4006)) {
                    // The daily allocation only comes back at 00:00 UTC: retrying within this request is pointless,
                    // and a client told to wait a second would spend its own retries for nothing.
                    return failure(Kind.RATE_LIMITED, "The Cloudflare account has used up its daily Workers AI "
                            + "allocation until 00:00 UTC" + codeText, status, code,
                            retryAfter != null ? retryAfter : secondsToMidnightUtc(), false);
                }
                if (code != null && code == 3040) {
                    return failure(Kind.RATE_LIMITED, "Workers AI is out of capacity for " + about + codeText,
                            status, code, retryAfter, true);
                }
                return failure(Kind.RATE_LIMITED, "Workers AI is rate limiting this account" + codeText, status,
                        code, retryAfter, true);
            default:
                return failure(Kind.UPSTREAM, "Workers AI answered with unexpected HTTP " + status + codeText
                        + detail, status, code, retryAfter, false);
        }
    }

    /** A 200 whose body Tollgate cannot use: garbage, {@code success:false}, or no result. */
    UpstreamFailure malformed(int status, String body, String what) {
        ErrorBody error = parse(body);
        String codeText = error.code() == null ? "" : " (code " + error.code() + ")";
        return failure(Kind.UPSTREAM, "Workers AI sent " + what + codeText, status, error.code(), null, false);
    }

    /**
     * No HTTP answer at all: a refused or timed-out connection, a reset, a connection closed without a word. Tried
     * again only if the request was not wholly written: once Workers AI has the whole call it may be running (and
     * billing) it, and it cannot be asked whether it is. Except on a pooled connection that broke without a word
     * (not a timeout): the usual cause is a server that closed it while idle, before our call arrived, and a call
     * that fails so on every keep-alive pause would be a spurious 502. Then a server that read the call and died at
     * once may see it again, which OkHttp's own recovery accepts too.
     *
     * @param requestWritten whether the whole request had been written before the failure
     * @param pooled         whether the attempt used a connection kept from an earlier call
     */
    UpstreamFailure beforeResponse(IOException e, boolean requestWritten, boolean pooled) {
        if (isTimeout(e)) {
            return new UpstreamFailure(new ProviderException(Kind.TIMEOUT, "Workers AI did not answer in time",
                    0, null, null, null, e), !requestWritten);
        }
        String message = requestWritten ? "The connection to Workers AI broke before it answered"
                : "Workers AI could not be reached";
        return new UpstreamFailure(new ProviderException(Kind.UPSTREAM, message, 0, null, null, null, e),
                !requestWritten || pooled);
    }

    /** The answer broke after it started; {@code partial} is what had been received, or null. */
    UpstreamFailure whileReading(IOException e, int status, ChatCompletion partial) {
        Kind kind = isTimeout(e) ? Kind.TIMEOUT : Kind.UPSTREAM;
        String message = kind != Kind.TIMEOUT ? "The connection to Workers AI broke before the answer was complete"
                : e instanceof SocketTimeoutException ? "Workers AI stopped sending before the answer was complete"
                // OkHttp's call timeout: the answer was still coming, Tollgate's limit for one call ran out
                : "The answer ran past Tollgate's time limit for one call to Workers AI";
        return new UpstreamFailure(new ProviderException(kind, message, status, null, null, partial, e), false);
    }

    /** A stream that stopped without {@code [DONE]} or sent a chunk that is not JSON. */
    UpstreamFailure brokenStream(String message, int status, ChatCompletion partial, Throwable cause) {
        return new UpstreamFailure(new ProviderException(Kind.UPSTREAM, message, status, null, null, partial, cause),
                false);
    }

    /**
     * A stream that sent Cloudflare's error envelope as one of its chunks: broken at that point, like a stream cut
     * short, with what came before it as the partial. Not tried again: the 200 had started, and any text passed on.
     */
    UpstreamFailure errorInStream(int status, String chunk, ChatCompletion partial) {
        Integer code = parse(chunk).code();
        String codeText = code == null ? "" : " (code " + code + ")";
        return new UpstreamFailure(new ProviderException(Kind.UPSTREAM,
                "Workers AI reported an error in the middle of the stream" + codeText, status, code, null, partial,
                null), false);
    }

    static boolean isTimeout(IOException e) {
        // OkHttp reports its call timeout as a bare InterruptedIOException("timeout").
        return e instanceof SocketTimeoutException
                || (e instanceof InterruptedIOException && "timeout".equals(e.getMessage()));
    }

    private UpstreamFailure failure(Kind kind, String message, int status, Integer code, Long retryAfter,
                                    boolean retryable) {
        return new UpstreamFailure(new ProviderException(kind, message, status, code, retryAfter, null,
                null), retryable);
    }

    private ErrorBody parse(String body) {
        if (body == null || body.isBlank()) {
            return new ErrorBody(null, null);
        }
        try {
            JsonNode first = json.readTree(body).path("errors").path(0);
            Integer code = first.path("code").isIntegralNumber() ? first.path("code").asInt() : null;
            String message = first.path("message").isTextual() ? shorten(scrub(first.path("message").asText())) : null;
            return new ErrorBody(code, message);
        } catch (IOException notJson) {
            return new ErrorBody(null, null);
        }
    }

    /**
     * The token, wherever Cloudflare's own words repeat it. Only their words: Tollgate's never hold it, and a short
     * token (a test's "k") would otherwise be cut out of every word that contains it.
     */
    private String scrub(String text) {
        return text.replace(apiToken, "[redacted]");
    }

    private static String shorten(String text) {
        return text.length() <= MAX_UPSTREAM_TEXT ? text : text.substring(0, MAX_UPSTREAM_TEXT) + "…";
    }

    private record ErrorBody(Integer code, String message) {
    }

    /** Seconds until the next 00:00 UTC, when Workers AI's daily allocation starts again; at least 1. */
    private long secondsToMidnightUtc() {
        Instant now = clock.instant();
        Instant midnight = now.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        return Math.max(1, Duration.between(now, midnight).toSeconds());
    }
}
