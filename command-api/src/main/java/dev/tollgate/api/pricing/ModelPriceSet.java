package dev.tollgate.api.pricing;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * From {@code effectiveAt} on, holds for {@code model} are priced at these list prices per million tokens (before
 * the markup). {@code effectiveAt} is never before {@code at}: a price change never re-prices what already ran.
 */
@Revision("1")
public record ModelPriceSet(String model, Money inputPerMillion, Money outputPerMillion, Instant effectiveAt,
                            String actor, Instant at) {
}
