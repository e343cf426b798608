package dev.tollgate.web.security;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.Spender;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.ai.Payer;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.identity.Teams;

/**
 * The authenticated caller of a request: the user, their role, and the API key used (null for a JWT). A team key
 * also names its team, its own cap and its holder's cap in the team: it spends the team's money, not its holder's
 * (ADR 32).
 */
public record Caller(String userId, String email, Role role, String apiKeyId, String teamId, Money keyCap,
                     Money memberCap) {

    public Caller(String userId, String email, Role role, String apiKeyId) {
        this(userId, email, role, apiKeyId, null, null, null);
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
        if (viaTeamKey()) {
            return new Payer(account(), new Spender(apiKeyId, keyCap, userId, memberCap));
        }
        return new Payer(account(), viaApiKey() ? Spender.key(apiKeyId) : null);
    }
}
