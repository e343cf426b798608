package dev.tollgate.api.account;

import dev.tollgate.api.metering.Charge;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Books the real cost of a held call to {@code revenue} and frees the rest of the hold. {@code partial}: the call
 * broke off after output reached the caller, and the charge is for what was produced.
 */
public record SettleReservation(@TargetAggregateIdentifier AccountId accountId, String holdId, Charge charge,
                                Instant at, boolean partial) {

    /** A call that ended with its whole answer. */
    public SettleReservation(AccountId accountId, String holdId, Charge charge, Instant at) {
        this(accountId, holdId, charge, at, false);
    }
}
