package dev.tollgate.api.account;

import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold ended with a charge: {@code collected} went to {@code revenue}, {@code released} went back to available.
 * The charge names model, tokens, prices, the full computed cost and the request, so the line explains itself;
 * {@code collected} is less than {@code charge.cost()} only when the balance could not cover it (ADR 7).
 * Revision 2 added {@code charge.units} (image tiles and steps, audio time); revision-1 events, all priced on tokens,
 * are read through {@code ReservationSettledUpcaster} with no units.
 */
@Revision("2")
public record ReservationSettled(AccountId accountId, String holdId, Charge charge, Money collected,
                                 Money released,
                                 Money balanceAfter, Money heldAfter, Instant at) implements LedgerEvent {
}
