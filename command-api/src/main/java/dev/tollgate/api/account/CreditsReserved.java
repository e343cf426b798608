package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold was placed. Revision 2 added {@code apiKeyId}, the key that made the call, and {@code memberId}, the team
 * member holding it ({@code null} for a login token, on a user's own account, and in every revision-1 event, read
 * through {@code CreditsReservedUpcaster}): spend is counted per key and per member, so a team can cap both
 * (ADR 32).
 */
@Revision("2")
public record CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                              Instant expiresAt, Instant at, String apiKeyId, String memberId)
        implements LedgerEvent {

    public CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                           Instant expiresAt, Instant at) {
        this(accountId, holdId, amount, heldAfter, requestId, expiresAt, at, null, null);
    }
}
