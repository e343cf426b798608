package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold was placed. Revision 2 added {@code apiKeyId}, the key that made the call, and {@code memberId}, the team
 * member holding it ({@code null} for a login token, on a user's own account, and in every revision-1 event, read
 * through {@code CreditsReservedUpcaster}): spend is counted per key and per member, so a team can cap both
 * (ADR 32). Revision 3 added {@code model}, the model the call asked for, so that a call which failed and was
 * released still says which model it was for ({@code null} in older events, read through
 * {@code CreditsReservedModelUpcaster}).
 */
@Revision("3")
public record CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                              Instant expiresAt, Instant at, String apiKeyId, String memberId, String model)
        implements LedgerEvent {

    public CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                           Instant expiresAt, Instant at) {
        this(accountId, holdId, amount, heldAfter, requestId, expiresAt, at, null, null, null);
    }

    public CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                           Instant expiresAt, Instant at, String apiKeyId, String memberId) {
        this(accountId, holdId, amount, heldAfter, requestId, expiresAt, at, apiKeyId, memberId, null);
    }
}
