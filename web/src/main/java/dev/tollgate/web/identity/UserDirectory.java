package dev.tollgate.web.identity;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** The users table. Emails are compared lower-cased; the unique index decides races between two sign-ups. */
@Component
public class UserDirectory {
    private static final RowMapper<User> ROW = (rs, i) -> new User(rs.getString("id"), rs.getString("email"),
            rs.getString("username"), rs.getString("password_hash"), Role.valueOf(rs.getString("role")),
            rs.getBoolean("disabled"), rs.getTimestamp("created_at").toInstant());

    private final JdbcTemplate jdbc;
    private final Clock clock;

    public UserDirectory(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    public static String normalizeEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    public User create(String email, String username, String passwordHash, Role role) {
        String id = UUID.randomUUID().toString();
        String normalized = normalizeEmail(email);
        // The database keeps microseconds: the user returned is the one every later read finds.
        Timestamp now = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.MICROS));
        try {
            jdbc.update("INSERT INTO users (id, email, username, password_hash, role, disabled, created_at) "
                    + "VALUES (?, ?, ?, ?, ?, FALSE, ?)", id, normalized, username, passwordHash, role.name(), now);
        } catch (DuplicateKeyException taken) {
            throw new EmailAlreadyRegistered();
        }
        return new User(id, normalized, username, passwordHash, role, false, now.toInstant());
    }

    public Optional<User> byEmail(String email) {
        return jdbc.query("SELECT * FROM users WHERE email = ?", ROW, normalizeEmail(email)).stream().findFirst();
    }

    /** Ids are UUIDs, written in lower case; one in capitals names the same user (RFC 4122 compares them so). */
    public Optional<User> byId(String id) {
        return jdbc.query("SELECT * FROM users WHERE id = ?", ROW, id.toLowerCase(java.util.Locale.ROOT)).stream()
                .findFirst();
    }

    public boolean anyAdmin() {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM users WHERE role = 'ADMIN'", Integer.class);
        return count != null && count > 0;
    }

    public List<User> all() {
        return jdbc.query("SELECT * FROM users ORDER BY created_at, id", ROW);
    }

    public void setDisabled(String id, boolean disabled) {
        jdbc.update("UPDATE users SET disabled = ? WHERE id = ?", disabled, id);
    }
}
