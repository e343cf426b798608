package dev.tollgate.api.account;

import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A hold ended with a charge: {@code collected} went to {@code revenue}, {@code released} went back to available.
 * The charge names model, tokens, prices, the full computed cost and the request, so the line explains itself;
 * {@code collected} is less than {@code charge.cost()} only when the balance could not cover it (ADR 7).
 * {@code partial} says the call broke off after output reached the caller (a stream cut short upstream): the charge
 * covers only what was produced, and the usage log shows the call as {@code partial}, not {@code ok}.
 * <p>
 * Revision 2 added {@code charge.units} (image tiles and steps, audio time); revision 3 added {@code partial}. Older
 * events are read through {@code ReservationSettledUpcaster} (revision 1: no units) and
 * {@code ReservationSettledPartialUpcaster} (revision 2): none of them was partial.
 */
@Revision("3")
public record ReservationSettled(AccountId accountId, String holdId, Charge charge, Money collected,
                                 Money released,
                                 Money balanceAfter, Money heldAfter, Instant at, boolean partial)
        implements LedgerEvent {

    /** A call that ended with its whole answer. */
    public ReservationSettled(AccountId accountId, String holdId, Charge charge, Money collected, Money released,
                              Money balanceAfter, Money heldAfter, Instant at) {
        this(accountId, holdId, charge, collected, released, balanceAfter, heldAfter, at, false);
    }
}
