package dev.tollgate.api.transfer;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

public record ReceiveTransfer(@TargetAggregateIdentifier AccountId to, String transferId, AccountId from,
                              Money amount, String note, Instant at) {
}
