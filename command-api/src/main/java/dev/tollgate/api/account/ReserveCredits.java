package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Sets an upper bound aside before a metered call; the hold must end settled, released or expired.
 * {@code apiKeyId} names the key that made the call ({@code null} for a login token), and {@code spendCap}, when
 * set, is that key's lifetime spend cap as it stands now: the hold is refused if the key's settled spend, its open
 * holds and this hold would pass it (ADR 32).
 */
public record ReserveCredits(@TargetAggregateIdentifier AccountId accountId, String holdId, Money amount,
                             String requestId, Instant expiresAt, Instant at, String apiKeyId, Money spendCap) {

    public ReserveCredits(AccountId accountId, String holdId, Money amount, String requestId, Instant expiresAt,
                          Instant at) {
        this(accountId, holdId, amount, requestId, expiresAt, at, null, null);
    }
}
