package dev.tollgate.web.security;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.ai.Payer;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.identity.Teams;

/**
 * The authenticated caller of a request: the user, their role, and the API key used (null for a JWT). A team key
 * also names its team and its spend cap: it spends the team's money, not its holder's (ADR 32).
 */
public record Caller(String userId, String email, Role role, String apiKeyId, String teamId, Money spendCap) {

    public Caller(String userId, String email, Role role, String apiKeyId) {
        this(userId, email, role, apiKeyId, null, null);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    public boolean viaApiKey() {
        return apiKeyId != null;
    }

    public boolean viaTeamKey() {
        return teamId != null;
    }

    /** The account this credential spends from and reads: the team's for a team key, else the user's own. */
    public AccountId account() {
        return viaTeamKey() ? Teams.accountOf(teamId) : AccountId.of(userId);
    }

    public Payer payer() {
        return new Payer(account(), apiKeyId, spendCap);
    }
}
