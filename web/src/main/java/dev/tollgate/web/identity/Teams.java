package dev.tollgate.web.identity;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Teams and their members (ADR 32). Membership is identity, like the users table; a team's money lives in its
 * ledger account, {@code team:{id}}, opened before the team's row is written.
 */
@Component
public class Teams {
    /** What a member may do: an owner manages members and every key's cap; a member uses the team's money. */
    public enum TeamRole {
        OWNER, MEMBER;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<TeamRole> parse(String text) {
            for (TeamRole role : values()) {
                if (role.wire().equalsIgnoreCase(text)) {
                    return Optional.of(role);
                }
            }
            return Optional.empty();
        }
    }

    public record Team(String id, String name, String createdBy, Instant createdAt) {
        public AccountId account() {
            return accountOf(id);
        }
    }

    public record Member(String teamId, String userId, String email, String username, TeamRole role,
                         Money spendCap, Instant addedAt) {
    }

    /** A team as one of its members sees it in a list: the team and that member's role. */
    public record Membership(Team team, TeamRole role) {
    }

    public static final String ACCOUNT_PREFIX = "team:";

    private static final RowMapper<Team> TEAM = (rs, i) -> new Team(rs.getString("id"), rs.getString("name"),
            rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());
    private static final RowMapper<Member> MEMBER = (rs, i) -> new Member(rs.getString("team_id"),
            rs.getString("user_id"), rs.getString("email"), rs.getString("username"),
            TeamRole.valueOf(rs.getString("role")), ApiKeys.nanosOrNull(rs, "spend_cap_nanos"), rs.getTimestamp("added_at").toInstant());

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public Teams(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public static AccountId accountOf(String teamId) {
        return AccountId.of(ACCOUNT_PREFIX + teamId);
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    /** Writes the team and its first owner together; the team's account is already open. */
    @Transactional
    public Team create(String id, String name, String ownerUserId) {
        // The database keeps microseconds: the team returned is the one every later read finds.
        Timestamp now = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MICROS));
        jdbc.update("INSERT INTO teams (id, name, created_by, created_at) VALUES (?, ?, ?, ?)", id, name, ownerUserId,
                now);
        jdbc.update("INSERT INTO team_members (team_id, user_id, role, added_at) VALUES (?, ?, ?, ?)", id, ownerUserId,
                TeamRole.OWNER.name(), now);
        return new Team(id, name, ownerUserId, now.toInstant());
    }

    public Optional<Team> byId(String id) {
        if (id == null || id.length() > 64) {
            return Optional.empty();
        }
        return jdbc.query("SELECT * FROM teams WHERE id = ?", TEAM, id.toLowerCase(java.util.Locale.ROOT)).stream()
                .findFirst();
    }

    public List<String> allIds() {
        return jdbc.queryForList("SELECT id FROM teams ORDER BY created_at, id", String.class);
    }

    /** Every team, oldest first, with how many members it has. */
    public List<Counted> all() {
        return jdbc.query("SELECT t.*, (SELECT COUNT(*) FROM team_members m WHERE m.team_id = t.id) AS members "
                + "FROM teams t ORDER BY t.created_at, t.id", (rs, i) -> new Counted(TEAM.mapRow(rs, i),
                rs.getInt("members")));
    }

    public record Counted(Team team, int members) {
    }

    public Optional<TeamRole> roleOf(String teamId, String userId) {
        return jdbc.query("SELECT role FROM team_members WHERE team_id = ? AND user_id = ?",
                (rs, i) -> TeamRole.valueOf(rs.getString("role")), teamId, userId).stream().findFirst();
    }

    public List<Member> members(String teamId) {
        return jdbc.query("SELECT m.team_id, m.user_id, u.email, u.username, m.role, m.spend_cap_nanos, m.added_at "
                + "FROM team_members m "
                + "JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.added_at, u.email", MEMBER, teamId);
    }

    public List<Membership> of(String userId) {
        return jdbc.query("SELECT t.*, m.role AS member_role FROM teams t JOIN team_members m ON m.team_id = t.id "
                        + "WHERE m.user_id = ? ORDER BY t.created_at, t.id",
                (rs, i) -> new Membership(TEAM.mapRow(rs, i), TeamRole.valueOf(rs.getString("member_role"))), userId);
    }

    /** What adding a member did. */
    public enum Added {
        ADDED, UNCHANGED, CHANGED, NOT_A_MEMBER
    }

    /** A change of a member: a role and a cap, each {@code null} to keep (a new member: "member", no cap). */
    public record Change(TeamRole role, boolean changesCap, Money spendCap) {
    }

    /**
     * Adds the user, or changes a member. The last owner keeps the role: a team without an owner could never change
     * its members or caps again.
     */
    @Transactional
    public Added addOrChange(String teamId, String userId, Change change) {
        return apply(teamId, userId, change, true);
    }

    /** Changes a member, never adding one: {@link Added#NOT_A_MEMBER} when they are not (or no longer) one. */
    @Transactional
    public Added change(String teamId, String userId, Change change) {
        return apply(teamId, userId, change, false);
    }

    private Added apply(String teamId, String userId, Change change, boolean addIfAbsent) {
        Optional<TeamRole> current = roleOfForUpdate(teamId, userId);
        if (current.isEmpty() && !addIfAbsent) {
            return Added.NOT_A_MEMBER;
        }
        if (current.isEmpty()) {
            TeamRole role = change.role() == null ? TeamRole.MEMBER : change.role();
            jdbc.update("INSERT INTO team_members (team_id, user_id, role, added_at, spend_cap_nanos) "
                    + "VALUES (?, ?, ?, ?, ?)", teamId, userId, role.name(), Timestamp.from(clock.instant()),
                    change.changesCap() && change.spendCap() != null ? change.spendCap().nanos() : null);
            return Added.ADDED;
        }
        if (change.changesCap()) {
            jdbc.update("UPDATE team_members SET spend_cap_nanos = ? WHERE team_id = ? AND user_id = ?",
                    change.spendCap() == null ? null : change.spendCap().nanos(), teamId, userId);
        }
        TeamRole role = change.role();
        if (role == null || current.get() == role) {
            return change.changesCap() ? Added.CHANGED : Added.UNCHANGED;
        }
        if (current.get() == TeamRole.OWNER) {
            requireAnotherOwner(teamId, userId);
        }
        jdbc.update("UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?", role.name(), teamId, userId);
        return Added.CHANGED;
    }

    /**
     * Removes the member and revokes their keys of this team, together; false when they were not one. Revoked, not
     * suspended: adding them back later must not bring a key back that may have leaked meanwhile.
     */
    @Transactional
    public boolean remove(String teamId, String userId) {
        Optional<TeamRole> current = roleOfForUpdate(teamId, userId);
        if (current.isEmpty()) {
            return false;
        }
        if (current.get() == TeamRole.OWNER) {
            requireAnotherOwner(teamId, userId);
        }
        jdbc.update("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", teamId, userId);
        jdbc.update("UPDATE api_keys SET revoked_at = ? WHERE team_id = ? AND user_id = ? AND revoked_at IS NULL",
                Timestamp.from(clock.instant()), teamId, userId);
        return true;
    }

    /**
     * Locks the team's row, so changes of one team's members run one at a time: two owners demoting each other at
     * once cannot leave it with none, and one user cannot be added twice.
     */
    private Optional<TeamRole> roleOfForUpdate(String teamId, String userId) {
        jdbc.query("SELECT id FROM teams WHERE id = ? FOR UPDATE", (rs, i) -> rs.getString(1), teamId);
        return roleOf(teamId, userId);
    }

    private void requireAnotherOwner(String teamId, String userId) {
        Integer others = jdbc.queryForObject("SELECT COUNT(*) FROM team_members WHERE team_id = ? AND role = ? "
                + "AND user_id <> ?", Integer.class, teamId, TeamRole.OWNER.name(), userId);
        if (others == null || others == 0) {
            throw new LastOwner();
        }
    }

    /**
     * Creates a team key for a member, under the team's lock: a member being removed at the same moment either loses
     * the new key with the others or never gets it. Empty when the holder is not (or no longer) a member, or when
     * someone else issues it who is not (or no longer) an owner.
     */
    @Transactional
    public Optional<ApiKeys.Created> createKey(ApiKeys keys, String teamId, String issuerId, String holderId,
                                               String name, Money cap) {
        Optional<TeamRole> holder = roleOfForUpdate(teamId, holderId);
        if (holder.isEmpty()) {
            return Optional.empty();
        }
        if (!issuerId.equals(holderId) && roleOf(teamId, issuerId).filter(r -> r == TeamRole.OWNER).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(keys.create(holderId, name, teamId, cap));
    }

    /** Refused: the change would leave the team without an owner. */
    public static class LastOwner extends RuntimeException {
        public LastOwner() {
            super("a team keeps at least one owner", null, false, false);
        }
    }
}
