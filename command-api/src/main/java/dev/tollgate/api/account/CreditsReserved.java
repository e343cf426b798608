package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold was placed. Revision 2 added {@code apiKeyId}, the key that made the call ({@code null} for a login token
 * and for every revision-1 event, read through {@code CreditsReservedUpcaster}): a key's spend is counted from the
 * holds it placed, so a team can cap each member's key (ADR 32).
 */
@Revision("2")
public record CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                              Instant expiresAt, Instant at, String apiKeyId) implements LedgerEvent {

    public CreditsReserved(AccountId accountId, String holdId, Money amount, Money heldAfter, String requestId,
                           Instant expiresAt, Instant at) {
        this(accountId, holdId, amount, heldAfter, requestId, expiresAt, at, null);
    }
}
