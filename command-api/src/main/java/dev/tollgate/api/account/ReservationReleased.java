package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A hold ended with no charge; {@code expired} tells a deadline's release from an explicit one. */
@Revision("1")
public record ReservationReleased(AccountId accountId, String holdId, Money amount, Money heldAfter, String reason,
                                  boolean expired, Instant at) implements LedgerEvent {
}
