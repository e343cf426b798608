package dev.tollgate.api.account;

import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold ended with a charge: {@code charge.cost()} went to {@code revenue}, {@code released} went back to
 * available. The charge names model, tokens, prices and request, so the line explains itself.
 */
@Revision("1")
public record ReservationSettled(AccountId accountId, String holdId, Charge charge, Money released,
                                 Money balanceAfter, Money heldAfter, Instant at) implements LedgerEvent {
}
