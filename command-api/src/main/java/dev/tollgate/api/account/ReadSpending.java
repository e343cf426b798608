package dev.tollgate.api.account;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Asks the account aggregate what each API key and each member has spent and holds now; applies no event. */
public record ReadSpending(@TargetAggregateIdentifier AccountId accountId) {
}
