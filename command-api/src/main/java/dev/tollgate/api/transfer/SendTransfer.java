package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Debits the sender; the money is in flight until the receiver is credited or the sender refunded. */
public record SendTransfer(@TargetAggregateIdentifier AccountId from, String transferId, AccountId to, Money amount,
                           String note, Intent intent, Instant at) {
}
