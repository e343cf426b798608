package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.tollgate.api.account.Spending;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.identity.ApiKey;
import dev.tollgate.web.identity.ApiKeys;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.identity.Teams.TeamRole;
import dev.tollgate.web.identity.User;
import dev.tollgate.web.identity.UserDirectory;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * Teams (ADR 32): a shared account that members fund with transfers to {@code team:{id}} and spend through team
 * API keys. Each key may have a lifetime spend cap, and each member one over all their keys, which only owners
 * set. The team's balance, history, budget and usage are answered by the same handlers as a user's
 * ({@code /api/teams/{id}/balance}, {@code /transactions}, {@code /budget}, {@code /usage/*}).
 */
@RestController
public class TeamsController {
    private static final int MAX_NAME = 100;

    private final Teams teams;
    private final TeamAccess access;
    private final UserDirectory users;
    private final ApiKeys apiKeys;
    private final Ledger ledger;
    private final AccountRefs accounts;

    public TeamsController(Teams teams, TeamAccess access, UserDirectory users, ApiKeys apiKeys, Ledger ledger,
                           AccountRefs accounts) {
        this.accounts = accounts;
        this.teams = teams;
        this.access = access;
        this.users = users;
        this.apiKeys = apiKeys;
        this.ledger = ledger;
    }

    public record TeamView(String id, String name, String accountId, String role, Instant createdAt) {
        static TeamView of(Teams.Team team, TeamRole role) {
            return new TeamView(team.id(), team.name(), team.account().value(), role == null ? null : role.wire(),
                    team.createdAt());
        }
    }

    public record MemberView(String teamId, String userId, String email, String username, String role,
                             String spendCapUsd, String spentUsd, String heldUsd, Instant addedAt) {
        static MemberView of(Teams.Member member, Spending spending) {
            Spending.Spent spent = spending.ofMember(member.userId());
            return new MemberView(member.teamId(), member.userId(), member.email(), member.username(),
                    member.role().wire(), Amounts.usdOrNull(member.spendCap()), spent.spent().toUsdString(),
                    spent.held().toUsdString(), member.addedAt());
        }
    }

    public record TeamDetailView(String id, String name, String accountId, String role, Instant createdAt,
                                 List<MemberView> members) {
    }

    public record TeamKeyView(String id, String name, String prefix, String teamId, String userId,
                              String spendCapUsd, String spentUsd, String heldUsd, Instant createdAt,
                              Instant lastUsedAt, boolean revoked) {
        static TeamKeyView of(ApiKey key, Spending spending) {
            Spending.Spent spent = spending.ofKey(key.id());
            return new TeamKeyView(key.id(), key.name(), key.prefix(), key.teamId(), key.userId(),
                    Amounts.usdOrNull(key.spendCap()), spent.spent().toUsdString(), spent.held().toUsdString(),
                    key.createdAt(), key.lastUsedAt(), key.revoked());
        }
    }

    public record CreatedTeamKeyView(String id, String name, String key, String prefix, String teamId, String userId,
                                     String spendCapUsd, Instant createdAt) {
    }

    /** Creates a team owned by the caller, with its own account (balance 0). */
    @PostMapping("/api/teams")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.NewTeam.class)))
    public TeamView create(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body) {
        String name = Amounts.requiredText(body, "name").trim();
        if (name.length() > MAX_NAME) {
            throw ApiException.badRequest("name is longer than " + MAX_NAME + " characters");
        }
        String id = Teams.newId();
        // The account first: a team row is never without its account, and an account without a row is only empty.
        ledger.openTeam(Teams.accountOf(id));
        Teams.Team team = teams.create(id, name, caller.userId());
        return TeamView.of(team, TeamRole.OWNER);
    }

    /** The caller's teams, each with the caller's role in it. */
    @GetMapping("/api/teams")
    public List<TeamView> mine(@AuthenticationPrincipal Caller caller) {
        return teams.of(caller.userId()).stream().map(m -> TeamView.of(m.team(), m.role())).toList();
    }

    @GetMapping("/api/teams/{teamId}")
    public TeamDetailView team(@AuthenticationPrincipal Caller caller, @PathVariable String teamId) {
        Teams.Team team = access.team(teamId);
        access.readable(caller, team);
        TeamRole role = teams.roleOf(teamId, caller.userId()).orElse(null);
        Spending spending = ledger.spending(team.account());
        return new TeamDetailView(team.id(), team.name(), team.account().value(), role == null ? null : role.wire(),
                team.createdAt(), teams.members(teamId).stream().map(m -> MemberView.of(m, spending)).toList());
    }

    /**
     * An owner adds a user by email — {@code role} "member" (the default) or "owner", and {@code spend_cap_usd}, what
     * all of that member's team keys together may spend — or changes a member (fields left out are kept): 201 when
     * added, 200 when the user was a member already.
     */
    @PostMapping("/api/teams/{teamId}/members")
    @ApiResponse(responseCode = "201", description = "Added",
            content = @Content(schema = @Schema(implementation = MemberView.class)))
    @ApiResponse(responseCode = "200", description = "Already a member: changed",
            content = @Content(schema = @Schema(implementation = MemberView.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Member.class)))
    public ResponseEntity<MemberView> addMember(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                                @RequestBody JsonNode body) {
        Teams.Team team = access.team(teamId);
        access.owner(caller, team);
        String email = Amounts.requiredText(body, "email").trim();
        Teams.Change change = memberChange(body);
        User user = users.byEmail(email).orElseThrow(
                () -> ApiException.notFound("user_not_found", "No user with this email."));
        Teams.Added added = lastOwnerKept(() -> teams.addOrChange(teamId, user.id(), change));
        return ResponseEntity.status(added == Teams.Added.ADDED ? HttpStatus.CREATED : HttpStatus.OK)
                .body(member(team, user.id()));
    }

    /** An owner changes a member's role or member cap ({@code null} removes it); fields left out are kept. */
    @RequestMapping(path = "/api/teams/{teamId}/members/{userId}", method = {RequestMethod.PUT, RequestMethod.PATCH})
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.MemberChange.class)))
    public MemberView changeMember(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                   @PathVariable String userId, @RequestBody JsonNode body) {
        Teams.Team team = access.team(teamId);
        access.owner(caller, team);
        Teams.Change change = memberChange(body);
        if (lastOwnerKept(() -> teams.change(teamId, userId, change)) == Teams.Added.NOT_A_MEMBER) {
            throw ApiException.notFound("member_not_found", "This user is not a member of the team.");
        }
        return member(team, userId);
    }

    private MemberView member(Teams.Team team, String userId) {
        Spending spending = ledger.spending(team.account());
        return teams.members(team.id()).stream().filter(m -> m.userId().equals(userId)).findFirst()
                .map(m -> MemberView.of(m, spending))
                .orElseThrow(() -> ApiException.notFound("member_not_found", "This user is not a member of the team."));
    }

    /** The whole body is read before anything is written, so a bad field changes nothing. */
    private static Teams.Change memberChange(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("a JSON object is required");
        }
        String roleText = Amounts.optionalText(body, "role", 20);
        TeamRole role = roleText == null ? null : TeamRole.parse(roleText.trim()).orElseThrow(
                () -> ApiException.badRequest("role must be \"member\" or \"owner\""));
        return new Teams.Change(role, body.has("spend_cap_usd"), spendCap(body));
    }

    /** An owner removes a member, or a member leaves. The member's team keys stop working at once. */
    @DeleteMapping("/api/teams/{teamId}/members/{userId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void removeMember(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                             @PathVariable String userId) {
        Teams.Team team = access.team(teamId);
        if (!userId.equals(caller.userId())) {
            access.owner(caller, team);
        } else {
            access.member(caller, team);
        }
        boolean removed = lastOwnerKept(() -> teams.remove(teamId, userId));
        if (!removed) {
            throw ApiException.notFound("member_not_found", "This user is not a member of the team.");
        }
    }

    /**
     * A member creates a team key for themselves, shown once. With {@code spend_cap_usd} its calls may spend at
     * most that much of the team's money over its life; without, it is limited by the team's balance and its
     * holder's member cap. An owner may also issue a key to another member (naming them by {@code user_id} or
     * {@code email}); the key counts against that member's cap.
     */
    @PostMapping("/api/teams/{teamId}/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.NewTeamKey.class)))
    public CreatedTeamKeyView createKey(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                        @RequestBody(required = false) JsonNode body) {
        Teams.Team team = access.team(teamId);
        TeamRole role = access.member(caller, team);
        Amounts.optionalObject(body);
        String name = Amounts.optionalText(body, "name", 100);
        Money cap = spendCap(body);
        String holder = holder(body, caller);
        if (!holder.equals(caller.userId()) && role != TeamRole.OWNER) {
            throw ApiException.forbidden("Members create team keys for themselves; only owners create keys for "
                    + "others.");
        }
        ApiKeys.Created created = teams.createKey(apiKeys, teamId, caller.userId(), holder,
                name == null || name.isBlank() ? "default" : name, cap).orElseThrow(
                        () -> ApiException.notFound("member_not_found", "This user is not a member of the team."));
        ApiKey key = created.record();
        return new CreatedTeamKeyView(key.id(), key.name(), created.key(), key.prefix(), teamId, key.userId(),
                cap == null ? null : cap.toUsdString(), key.createdAt());
    }

    /** Whose key it is: the member named by {@code user_id} (or {@code member_id}) or {@code email}, else the caller. */
    private String holder(JsonNode body, Caller caller) {
        String userId = blankAsNull(Amounts.optionalText(body, "user_id", 64));
        String memberId = blankAsNull(Amounts.optionalText(body, "member_id", 64));
        String email = blankAsNull(Amounts.optionalText(body, "email", 320));
        if (userId != null && memberId != null && !userId.equals(memberId)) {
            throw ApiException.badRequest("user_id and member_id name different users");
        }
        String named = userId != null ? userId : memberId;
        String byEmail = email == null ? null : users.byEmail(email).map(User::id).orElseThrow(
                () -> ApiException.notFound("member_not_found", "This user is not a member of the team."));
        if (named != null && byEmail != null && !named.equals(byEmail)) {
            throw ApiException.badRequest("user_id and email name different users");
        }
        return named != null ? named : byEmail != null ? byEmail : caller.userId();
    }

    private static String blankAsNull(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    /** An owner sees every key of the team; a member sees their own. Each with what it spent and holds now. */
    @GetMapping("/api/teams/{teamId}/api-keys")
    public List<TeamKeyView> keys(@AuthenticationPrincipal Caller caller, @PathVariable String teamId) {
        Teams.Team team = access.team(teamId);
        TeamRole role = access.member(caller, team);
        Spending spending = ledger.spending(team.account());
        return apiKeys.ofTeam(teamId).stream()
                .filter(key -> role == TeamRole.OWNER || key.userId().equals(caller.userId()))
                .map(key -> TeamKeyView.of(key, spending)).toList();
    }

    /**
     * Sets ({@code "5.00"}) or removes ({@code null}) a key's spend cap; the key's next call is checked against it.
     * An owner may change any key's cap. A member may only tighten the cap of their own key: a cap the owner set
     * must not be loosened by the key's holder.
     */
    @RequestMapping(path = "/api/teams/{teamId}/api-keys/{keyId}", method = {RequestMethod.PUT, RequestMethod.PATCH})
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.KeyCap.class)))
    public TeamKeyView changeKey(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                 @PathVariable String keyId, @RequestBody JsonNode body) {
        Teams.Team team = access.team(teamId);
        TeamRole role = access.member(caller, team);
        ApiKey key = apiKeys.ofTeam(teamId, keyId).orElseThrow(
                () -> ApiException.notFound("api_key_not_found", "No such API key in this team."));
        if (body == null || !body.has("spend_cap_usd")) {
            throw ApiException.badRequest("spend_cap_usd is required: a decimal string in USD, or null for no cap");
        }
        Money cap = spendCap(body);
        if (role != TeamRole.OWNER) {
            if (!key.userId().equals(caller.userId())) {
                throw ApiException.forbidden("Only the team's owners set the spend cap of another member's key.");
            }
            // Conditional, so a cap an owner lowered meanwhile is never loosened by the member's request.
            if (cap == null || !apiKeys.lowerSpendCap(keyId, cap)) {
                throw ApiException.forbidden("A member may lower the cap of their own key; only an owner raises or "
                        + "removes it.");
            }
        } else {
            apiKeys.setSpendCap(keyId, cap);
        }
        ApiKey changed = apiKeys.ofTeam(teamId, keyId).orElseThrow();
        return TeamKeyView.of(changed, ledger.spending(team.account()));
    }

    /** An owner revokes any key of the team; a member their own. */
    @DeleteMapping("/api/teams/{teamId}/api-keys/{keyId}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    public void revokeKey(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                          @PathVariable String keyId) {
        Teams.Team team = access.team(teamId);
        TeamRole role = access.member(caller, team);
        ApiKey key = apiKeys.ofTeam(teamId, keyId).orElseThrow(
                () -> ApiException.notFound("api_key_not_found", "No such API key in this team."));
        if (role != TeamRole.OWNER && !key.userId().equals(caller.userId())) {
            throw ApiException.forbidden("Only the team's owners revoke another member's key.");
        }
        apiKeys.revoke(keyId);
    }

    /**
     * An owner moves the team's money to a user (email or id) or another team ({@code team:{id}}), as a user
     * transfers their own: once per {@code Idempotency-Key}, answering the team's balance after it.
     */
    @PostMapping("/api/teams/{teamId}/transfer")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Transfer.class)))
    public CreditsController.TransferView transfer(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                                                   @RequestBody JsonNode body,
                                                   @RequestHeader(value = "Idempotency-Key", required = false)
                                                   String key) {
        Teams.Team team = access.team(teamId);
        access.owner(caller, team);
        return CreditsController.send(ledger, accounts, team.account(), body, key);
    }

    private static Money spendCap(JsonNode body) {
        return Amounts.nullableUsd(body, "spend_cap_usd");
    }

    private static <T> T lastOwnerKept(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (Teams.LastOwner refused) {
            throw ApiException.conflict("last_owner", "A team keeps at least one owner; make another member an owner"
                    + " first.");
        }
    }
}
