package dev.tollgate.api.account;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Asks the account aggregate itself for its balances. It travels on the command bus, so it is answered by the
 * same (cached, locked) aggregate that decides money commands: the answer is never a stale projection. It
 * applies no event.
 */
public record ReadAccountState(@TargetAggregateIdentifier AccountId accountId) {
}
