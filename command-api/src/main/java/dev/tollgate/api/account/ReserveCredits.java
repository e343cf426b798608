package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Sets an upper bound aside before a metered call; the hold must end settled, released or expired. {@code spender}
 * names the API key and team member behind the call and their caps as they stand now ({@code null} for a call made
 * with a login token): the hold is refused if either's settled spend, open holds and this hold would pass its cap.
 * {@code model} is the model the call asks for, recorded on the hold ({@code null} when not known).
 */
public record ReserveCredits(@TargetAggregateIdentifier AccountId accountId, String holdId, Money amount,
                             String requestId, Instant expiresAt, Instant at, Spender spender, String model) {

    public ReserveCredits(AccountId accountId, String holdId, Money amount, String requestId, Instant expiresAt,
                          Instant at) {
        this(accountId, holdId, amount, requestId, expiresAt, at, null, null);
    }

    public ReserveCredits(AccountId accountId, String holdId, Money amount, String requestId, Instant expiresAt,
                          Instant at, Spender spender) {
        this(accountId, holdId, amount, requestId, expiresAt, at, spender, null);
    }
}
