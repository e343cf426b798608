package dev.tollgate.web.http;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.security.Caller;
import org.springframework.stereotype.Component;

/**
 * Who may see or change a team (ADR 32). Its members read its balance, history and usage; so does a team key of
 * that team, and an admin signed in with a token. Only owners manage members and other members' keys.
 */
@Component
public class TeamAccess {
    private final Teams teams;

    public TeamAccess(Teams teams) {
        this.teams = teams;
    }

    /** The team, or 404. */
    public Teams.Team team(String teamId) {
        return teams.byId(teamId).orElseThrow(() -> ApiException.notFound("team_not_found", "No team with this id."));
    }

    /**
     * The account a read is about: the caller's own ({@link Caller#account()}) when no team is named, else the named
     * team's, provided the caller may read it.
     */
    public AccountId readable(Caller caller, String teamId) {
        if (teamId == null) {
            return caller.account();
        }
        return readable(caller, team(teamId));
    }

    /** The team's account, provided the caller may read it. */
    public AccountId readable(Caller caller, Teams.Team team) {
        if (caller.viaTeamKey()) {
            if (!team.id().equals(caller.teamId())) {
                throw ApiException.forbidden("This team API key belongs to another team.");
            }
            return team.account();
        }
        if (caller.isAdmin() && !caller.viaApiKey()) {
            return team.account();
        }
        member(caller, team);
        return team.account();
    }

    /** The caller's role in the team; 403 when they are not a member. */
    public Teams.TeamRole member(Caller caller, Teams.Team team) {
        return teams.roleOf(team.id(), caller.userId()).orElseThrow(
                () -> ApiException.forbidden("You are not a member of this team."));
    }

    /** 403 unless the caller owns the team. */
    public void owner(Caller caller, Teams.Team team) {
        if (member(caller, team) != Teams.TeamRole.OWNER) {
            throw ApiException.forbidden("Only the team's owners may do this.");
        }
    }
}
