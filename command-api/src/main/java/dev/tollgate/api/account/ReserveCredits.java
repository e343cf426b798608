package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sets an upper bound aside before a metered call; the hold must end settled, released or expired. */
public record ReserveCredits(@TargetAggregateIdentifier AccountId accountId, String holdId, Money amount,
                             String requestId, Instant expiresAt, Instant at) {
}
