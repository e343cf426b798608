package dev.tollgate.web.identity;

import dev.tollgate.api.account.AccountId;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
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
                         Instant addedAt) {
    }

    /** A team as one of its members sees it in a list: the team and that member's role. */
    public record Membership(Team team, TeamRole role) {
    }

    public static final String ACCOUNT_PREFIX = "team:";

    private static final RowMapper<Team> TEAM = (rs, i) -> new Team(rs.getString("id"), rs.getString("name"),
            rs.getString("created_by"), rs.getTimestamp("created_at").toInstant());
    private static final RowMapper<Member> MEMBER = (rs, i) -> new Member(rs.getString("team_id"),
            rs.getString("user_id"), rs.getString("email"), rs.getString("username"),
            TeamRole.valueOf(rs.getString("role")), rs.getTimestamp("added_at").toInstant());

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
        Timestamp now = Timestamp.from(clock.instant());
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
        return jdbc.query("SELECT * FROM teams WHERE id = ?", TEAM, id).stream().findFirst();
    }

    public List<String> allIds() {
        return jdbc.queryForList("SELECT id FROM teams ORDER BY created_at, id", String.class);
    }

    public Optional<TeamRole> roleOf(String teamId, String userId) {
        return jdbc.query("SELECT role FROM team_members WHERE team_id = ? AND user_id = ?",
                (rs, i) -> TeamRole.valueOf(rs.getString("role")), teamId, userId).stream().findFirst();
    }

    public List<Member> members(String teamId) {
        return jdbc.query("SELECT m.team_id, m.user_id, u.email, u.username, m.role, m.added_at FROM team_members m "
                + "JOIN users u ON u.id = m.user_id WHERE m.team_id = ? ORDER BY m.added_at, u.email", MEMBER, teamId);
    }

    public List<Membership> of(String userId) {
        return jdbc.query("SELECT t.*, m.role AS member_role FROM teams t JOIN team_members m ON m.team_id = t.id "
                        + "WHERE m.user_id = ? ORDER BY t.created_at, t.id",
                (rs, i) -> new Membership(TEAM.mapRow(rs, i), TeamRole.valueOf(rs.getString("member_role"))), userId);
    }

    /** What adding a member did. */
    public enum Added {
        ADDED, UNCHANGED, ROLE_CHANGED
    }

    /**
     * Adds the user with this role, or gives a member this role. The last owner keeps the role: a team without an
     * owner could never change its members or caps again.
     */
    @Transactional
    public Added addOrChange(String teamId, String userId, TeamRole role) {
        Optional<TeamRole> current = roleOfForUpdate(teamId, userId);
        if (current.isEmpty()) {
            jdbc.update("INSERT INTO team_members (team_id, user_id, role, added_at) VALUES (?, ?, ?, ?)", teamId,
                    userId, role.name(), Timestamp.from(clock.instant()));
            return Added.ADDED;
        }
        if (current.get() == role) {
            return Added.UNCHANGED;
        }
        if (current.get() == TeamRole.OWNER) {
            requireAnotherOwner(teamId, userId);
        }
        jdbc.update("UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?", role.name(), teamId, userId);
        return Added.ROLE_CHANGED;
    }

    /** Removes the member; false when they were not one. Their team keys stop working with their membership. */
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

    /** Refused: the change would leave the team without an owner. */
    public static class LastOwner extends RuntimeException {
        public LastOwner() {
            super("a team keeps at least one owner", null, false, false);
        }
    }
}
