package dev.tollgate.domain.metering;

/**
 * A provider call that failed, classified so the gateway can answer clearly and decide about the hold.
 * {@code producedOutput} tells whether any output reached the caller (then the call must be charged for what was
 * produced, and must not be retried).
 */
public class ProviderException extends RuntimeException {

    public enum Kind {
        /** The request was refused as invalid (400). */
        BAD_INPUT,
        /** No such model (404). */
        MODEL_NOT_FOUND,
        /** Tollgate's own credentials for the provider were refused (a 502 to the client: not their fault). */
        AUTHENTICATION,
        /** The provider's rate limit or capacity (429). */
        RATE_LIMITED,
        /** No answer in time (504). */
        TIMEOUT,
        /** The request was too large (413). */
        TOO_LARGE,
        /** Anything else upstream: 5xx, garbage, a broken stream (502). */
        UPSTREAM
    }

    private final Kind kind;
    private final int upstreamStatus;
    private final Integer upstreamCode;
    private final Long retryAfterSeconds;
    private final boolean producedOutput;
    private final transient ChatCompletion partial;

    public ProviderException(Kind kind, String message, int upstreamStatus, Integer upstreamCode,
                             Long retryAfterSeconds, ChatCompletion partial, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.upstreamStatus = upstreamStatus;
        this.upstreamCode = upstreamCode;
        this.retryAfterSeconds = retryAfterSeconds;
        this.partial = partial;
        this.producedOutput = partial != null && partial.text() != null && !partial.text().isEmpty();
    }

    public static ProviderException of(Kind kind, String message) {
        return new ProviderException(kind, message, 0, null, null, null, null);
    }

    public Kind kind() {
        return kind;
    }

    /** The provider's HTTP status, or 0 when there was no HTTP answer (timeout, connection refused). */
    public int upstreamStatus() {
        return upstreamStatus;
    }

    /** The provider's own error code (Cloudflare's 5006, 3040 …), when it sent one. */
    public Integer upstreamCode() {
        return upstreamCode;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** What had been produced before a stream broke (text and usage, if any); null when nothing was. */
    public ChatCompletion partial() {
        return partial;
    }

    public boolean producedOutput() {
        return producedOutput;
    }
}
