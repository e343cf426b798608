package dev.tollgate.web.http;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.identity.UserDirectory;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** How a request names an account: a user by email or id, or a team as {@code team:{id}} (ADR 32). */
@Component
public class AccountRefs {
    private final UserDirectory users;
    private final Teams teams;

    public AccountRefs(UserDirectory users, Teams teams) {
        this.users = users;
        this.teams = teams;
    }

    public Optional<AccountId> resolve(String ref) {
        if (ref.startsWith(Teams.ACCOUNT_PREFIX)) {
            return teams.byId(ref.substring(Teams.ACCOUNT_PREFIX.length())).map(Teams.Team::account);
        }
        return (ref.contains("@") ? users.byEmail(ref) : users.byId(ref)).map(user -> AccountId.of(user.id()));
    }

    /** The account, or 404 with {@code code}. */
    public AccountId existing(String ref, String code) {
        return resolve(ref).orElseThrow(() -> ApiException.notFound(code, ref.startsWith(Teams.ACCOUNT_PREFIX)
                ? "No team with this id." : "No user with this email or id."));
    }
}
