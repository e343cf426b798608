package dev.tollgate.web.security;

import dev.tollgate.web.config.TollgateProperties;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.identity.User;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Issues and verifies HS256 access tokens. The key is JWT_SECRET_KEY, or one generated on first start and kept
 * (mode 0600) in the data folder so tokens survive a restart. There is no constant key anywhere in the code.
 */
@Component
public class JwtService {
    private static final Logger log = LoggerFactory.getLogger(JwtService.class);
    private static final String KEY_FILE = "jwt-secret.key";

    /** Tokens already verified; more than this many and the memory is cleared and starts over. */
    private static final int REMEMBERED_TOKENS = 100_000;

    private final SecretKey key;
    private final Duration ttl;
    private final Clock clock;
    private final JwtParser parser;
    /**
     * A token's signature is checked once: the same string under the same key always verifies the same way, so the
     * subject and expiry are remembered and only the expiry is checked again. Failures are not remembered.
     */
    private final ConcurrentHashMap<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(String subject, Instant expiresAt) {
    }

    public JwtService(TollgateProperties properties, Clock clock) {
        this.key = Keys.hmacShaKeyFor(keyBytes(properties));
        this.ttl = properties.jwt().ttl();
        this.clock = clock;
        this.parser = Jwts.parser().verifyWith(key).clock(() -> Date.from(clock.instant())).build();
    }

    public record Issued(String token, long expiresInSeconds) {
    }

    public Issued issue(User user) {
        Date now = Date.from(clock.instant());
        String token = Jwts.builder()
                .subject(user.id())
                .claim("role", user.role().wireName())
                .issuedAt(now)
                .expiration(Date.from(clock.instant().plus(ttl)))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
        return new Issued(token, ttl.toSeconds());
    }

    /**
     * The user id of a valid, signed, unexpired token with a subject and an expiry; empty for anything else
     * (including alg "none" and a token without "exp").
     */
    public Optional<String> verify(String token) {
        Verified known = verified.get(token);
        if (known != null) {
            if (clock.instant().isBefore(known.expiresAt())) {
                return Optional.of(known.subject());
            }
            verified.remove(token);
            return Optional.empty();
        }
        try {
            Claims claims = parser.parseSignedClaims(token).getPayload();
            // The parser refuses an expired token but lets one without "exp" through: that would never expire.
            if (claims.getSubject() == null || claims.getExpiration() == null) {
                return Optional.empty();
            }
            if (verified.size() >= REMEMBERED_TOKENS) {
                verified.clear();
            }
            verified.put(token, new Verified(claims.getSubject(), claims.getExpiration().toInstant()));
            return Optional.of(claims.getSubject());
        } catch (JwtException | IllegalArgumentException invalid) {
            return Optional.empty();
        }
    }

    private static byte[] keyBytes(TollgateProperties properties) {
        String configured = properties.jwt().secret();
        if (configured != null && !configured.isBlank()) {
            byte[] raw = configured.getBytes(StandardCharsets.UTF_8);
            if (raw.length >= 32) {
                return raw;
            }
            log.warn("JWT_SECRET_KEY is shorter than 32 bytes; it is stretched with SHA-256. Prefer a longer key.");
            return sha256(raw);
        }
        Path file = properties.dataDir().resolve(KEY_FILE);
        String database = System.getenv("DATABASE_URL");
        if (database != null && !database.isBlank()) {
            // a shared database means there may be other nodes, each with a key of its own unless told otherwise
            log.warn("JWT_SECRET_KEY is not set: this node signs logins with the key kept in {}. Nodes that share a "
                    + "database must share that key (the same JWT_SECRET_KEY on each), or a login made on one is "
                    + "refused by another.", file);
        }
        return keptKey(file);
    }

    private static byte[] keptKey(Path file) {
        try {
            if (Files.exists(file)) {
                return Base64.getDecoder().decode(Files.readString(file).trim());
            }
            Files.createDirectories(file.getParent());
            byte[] fresh = new byte[64];
            new SecureRandom().nextBytes(fresh);
            Files.writeString(file, Base64.getEncoder().encodeToString(fresh), StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                log.warn("could not restrict permissions of {} on this file system", file);
            }
            log.info("generated a JWT signing key in {}", file);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the JWT key in " + file, e);
        }
    }

    private static byte[] sha256(byte[] raw) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(raw);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

}
