package dev.tollgate.web.ops;

import dev.tollgate.domain.metering.ProviderException;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * What the last real calls to the provider said about reaching it. Health reads this instead of calling the
 * provider: a live check per health probe would cost money and count against Cloudflare's rate limits.
 */
@Component
public class ProviderReachability {
    /** Failures that say the provider could not be reached or would not serve Tollgate at all. */
    private static final Set<ProviderException.Kind> UNREACHABLE = EnumSet.of(ProviderException.Kind.UPSTREAM,
            ProviderException.Kind.TIMEOUT, ProviderException.Kind.AUTHENTICATION);

    private final Clock clock;
    private volatile String provider = "unknown";
    private volatile Instant lastAnswer;
    private volatile Instant lastFailure;
    private volatile ProviderException.Kind lastFailureKind;
    private volatile boolean lastCallFailed;

    public ProviderReachability(Clock clock) {
        this.clock = clock;
    }

    public record Snapshot(String provider, Instant lastAnswer, Instant lastFailure, String lastFailureKind,
                           boolean lastCallFailed) {
    }

    void serving(String name) {
        provider = name;
    }

    /** The provider answered (a refusal such as a rate limit or a bad request is an answer too). */
    void answered() {
        lastAnswer = clock.instant();
        lastCallFailed = false;
    }

    void failed(ProviderException.Kind kind) {
        if (UNREACHABLE.contains(kind)) {
            lastFailure = clock.instant();
            lastFailureKind = kind;
            lastCallFailed = true;
        } else {
            answered();
        }
    }

    public Snapshot snapshot() {
        ProviderException.Kind kind = lastFailureKind;
        return new Snapshot(provider, lastAnswer, lastFailure, kind == null ? null : kind.name().toLowerCase(),
                lastCallFailed);
    }
}
