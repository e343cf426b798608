package dev.tollgate.api.account;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Asks the account aggregate what each API key's calls have spent and hold now; applies no event. */
public record ReadKeySpend(@TargetAggregateIdentifier AccountId accountId) {
}
