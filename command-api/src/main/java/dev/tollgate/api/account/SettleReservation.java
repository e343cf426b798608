package dev.tollgate.api.account;

import dev.tollgate.api.metering.Charge;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Books the real cost of a held call to {@code revenue} and frees the rest of the hold. */
public record SettleReservation(@TargetAggregateIdentifier AccountId accountId, String holdId, Charge charge,
                                Instant at) {
}
