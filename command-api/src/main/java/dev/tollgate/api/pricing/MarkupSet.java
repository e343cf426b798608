package dev.tollgate.api.pricing;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** From {@code effectiveAt} on, every list price is raised by {@code basisPoints} / 10,000, rounded up. */
@Revision("1")
public record MarkupSet(int basisPoints, Instant effectiveAt, String actor, Instant at) {
}
