package dev.tollgate.web.identity;

import dev.tollgate.api.money.Money;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/**
 * API keys: {@code tg_<prefix>_<secret>}, 192 random bits. Only a SHA-256 of the whole key is stored — a fast
 * hash is enough for a random secret of that size, and it lets a key be found by its hash in one index lookup.
 */
@Component
public class ApiKeys {
    public static final String KEY_START = "tg_";
    private static final Duration LAST_USED_GRANULARITY = Duration.ofSeconds(30);
    private static final RowMapper<ApiKey> ROW = (rs, i) -> new ApiKey(rs.getString("id"), rs.getString("user_id"),
            rs.getString("name"), rs.getString("prefix"), rs.getTimestamp("created_at").toInstant(),
            rs.getTimestamp("last_used_at") == null ? null : rs.getTimestamp("last_used_at").toInstant(),
            rs.getTimestamp("revoked_at") != null, rs.getString("team_id"), nanosOrNull(rs, "spend_cap_nanos"), null);
    /** A key as it authenticates: with its holder's cap in the team, for a team key. */
    private static final RowMapper<ApiKey> AUTHENTICATED = (rs, i) -> {
        ApiKey key = ROW.mapRow(rs, i);
        return new ApiKey(key.id(), key.userId(), key.name(), key.prefix(), key.createdAt(), key.lastUsedAt(),
                key.revoked(), key.teamId(), key.spendCap(), nanosOrNull(rs, "member_cap_nanos"));
    };

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Instant> lastUsedWritten = new ConcurrentHashMap<>();

    public ApiKeys(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** A new key and its record; the caller shows {@code key} once and forgets it. */
    public record Created(ApiKey record, String key) {
    }

    public Created create(String userId, String name) {
        return create(userId, name, null, null);
    }

    /** A team key (ADR 32): its calls spend the team's money, up to {@code spendCap} when one is given. */
    public Created create(String userId, String name, String teamId, Money spendCap) {
        String prefix = randomToken(6);
        String key = KEY_START + prefix + "_" + randomToken(24);
        String id = UUID.randomUUID().toString();
        // The database keeps microseconds: the answer shows the created_at that every later read lists.
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        jdbc.update("INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, team_id, spend_cap_nanos) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, userId, name, KEY_START + prefix, hash(key),
                Timestamp.from(now), teamId, spendCap == null ? null : spendCap.nanos());
        return new Created(new ApiKey(id, userId, name, KEY_START + prefix, now, null, false, teamId, spendCap, null),
                key);
    }

    /** The user's own keys; their team keys are listed with each team. */
    public List<ApiKey> of(String userId) {
        return jdbc.query("SELECT * FROM api_keys WHERE user_id = ? AND team_id IS NULL ORDER BY created_at, id", ROW,
                userId);
    }

    public List<ApiKey> ofTeam(String teamId) {
        return jdbc.query("SELECT * FROM api_keys WHERE team_id = ? ORDER BY created_at, id", ROW, teamId);
    }

    public Optional<ApiKey> ofTeam(String teamId, String keyId) {
        return jdbc.query("SELECT * FROM api_keys WHERE team_id = ? AND id = ?", ROW, teamId, keyId).stream()
                .findFirst();
    }

    /** Sets or (with {@code null}) removes a team key's cap; requests authenticated after it are held to it. */
    public void setSpendCap(String keyId, Money spendCap) {
        jdbc.update("UPDATE api_keys SET spend_cap_nanos = ? WHERE id = ?", spendCap == null ? null : spendCap.nanos(),
                keyId);
    }

    /**
     * Lowers a key's cap, only if nothing raced it higher meanwhile: true when the cap is now {@code spendCap}. A
     * member may tighten their own key; this keeps them from loosening a cap an owner set a moment ago.
     */
    public boolean lowerSpendCap(String keyId, Money spendCap) {
        return jdbc.update("UPDATE api_keys SET spend_cap_nanos = ? WHERE id = ? "
                + "AND (spend_cap_nanos IS NULL OR spend_cap_nanos >= ?)", spendCap.nanos(), keyId, spendCap.nanos()) > 0;
    }

    public void revoke(String keyId) {
        jdbc.update("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
                Timestamp.from(clock.instant()), keyId);
    }

    /** A nullable nano-dollar column as Money, or {@code null}. */
    static Money nanosOrNull(java.sql.ResultSet rs, String column) throws java.sql.SQLException {
        long nanos = rs.getLong(column);
        return rs.wasNull() ? null : new Money(nanos);
    }

    /** Revokes the key if it belongs to the user; false when there is no such key of theirs. */
    public boolean revoke(String userId, String keyId) {
        int updated = jdbc.update("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?",
                Timestamp.from(clock.instant()), keyId, userId);
        return updated > 0;
    }

    /** The live key for this secret, if any; notes its use (at most every 30 s per key, to spare the database). */
    public Optional<ApiKey> authenticate(String presented) {
        if (presented == null || !presented.startsWith(KEY_START) || presented.length() > 200) {
            return Optional.empty();
        }
        // A team key works only while its holder is a member of its team (removing a member also revokes them).
        Optional<ApiKey> found = jdbc.query("SELECT k.*, m.spend_cap_nanos AS member_cap_nanos FROM api_keys k "
                + "LEFT JOIN team_members m ON m.team_id = k.team_id AND m.user_id = k.user_id "
                + "WHERE k.key_hash = ? AND k.revoked_at IS NULL AND (k.team_id IS NULL OR m.user_id IS NOT NULL)",
                AUTHENTICATED, hash(presented)).stream().findFirst();
        found.ifPresent(this::noteUse);
        return found;
    }

    private void noteUse(ApiKey key) {
        Instant now = clock.instant();
        Instant last = lastUsedWritten.get(key.id());
        if (last == null || last.plus(LAST_USED_GRANULARITY).isBefore(now)) {
            lastUsedWritten.put(key.id(), now);
            jdbc.update("UPDATE api_keys SET last_used_at = ? WHERE id = ?", Timestamp.from(now), key.id());
        }
    }

    private String randomToken(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    static String hash(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
