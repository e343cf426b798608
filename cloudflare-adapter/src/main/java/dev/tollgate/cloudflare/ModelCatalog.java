package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ModelInfo;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The model list, fetched at most once per TTL. Callers wait on one lock while a fetch runs so that a burst of
 * requests after expiry costs Cloudflare one catalog call, not one per request. A failed fetch is not cached.
 */
final class ModelCatalog {

    private final Supplier<List<ModelInfo>> fetch;
    private final Duration ttl;
    private final Clock clock;
    private List<ModelInfo> models;
    private Instant fetchedAt;

    ModelCatalog(Supplier<List<ModelInfo>> fetch, Duration ttl, Clock clock) {
        this.fetch = fetch;
        this.ttl = ttl;
        this.clock = clock;
    }

    synchronized List<ModelInfo> models() {
        Instant now = clock.instant();
        if (models == null || !now.isBefore(fetchedAt.plus(ttl))) {
            models = List.copyOf(fetch.get());
            fetchedAt = now;
        }
        return models;
    }
}
