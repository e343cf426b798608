package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ProviderException;

/**
 * One failed attempt, with the verdict on whether another attempt may help. Kept apart from
 * {@link ProviderException} because retryability depends on what this client already did (a stream that passed
 * text on must never be repeated), which the port need not know.
 */
final class UpstreamFailure extends Exception {

    private final transient ProviderException failure;
    private final boolean retryable;

    UpstreamFailure(ProviderException failure, boolean retryable) {
        super(failure.getMessage(), failure, false, false);
        this.failure = failure;
        this.retryable = retryable;
    }

    ProviderException failure() {
        return failure;
    }

    boolean retryable() {
        return retryable;
    }
}
