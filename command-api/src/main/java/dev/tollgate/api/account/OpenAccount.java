package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Opens a user's account, or a team's: the same ledger rules, shared by the team's members (ADR 32). */
public record OpenAccount(@TargetAggregateIdentifier AccountId accountId, AccountKind kind, Instant at) {

    public OpenAccount(AccountId accountId, Instant at) {
        this(accountId, AccountKind.USER, at);
    }
}
