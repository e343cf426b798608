package dev.tollgate.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.web.TestClock;
import dev.tollgate.web.config.TollgateProperties;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.identity.User;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verified token is remembered, but never past its expiry, and a token that failed once is checked again; a token
 * without an expiry is never valid.
 */
class JwtServiceTest {
    private static final User ALICE = new User("u-1", "alice@example.com", null, "hash", Role.USER, false,
            Instant.parse("2026-01-01T00:00:00Z"));

    private static final String SECRET = "unit-tests-signing-key-of-at-least-32-bytes";

    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));

    @Test
    void aRememberedTokenIsRefusedOnceItExpires(@TempDir Path data) {
        // given a token verified once while fresh
        JwtService jwt = service(data);
        String token = jwt.issue(ALICE).token();
        assertThat(jwt.verify(token)).contains("u-1");

        // when its hour passes
        clock.advance(Duration.ofHours(1).plusSeconds(1));

        // then the remembered verification does not outlive it
        assertThat(jwt.verify(token)).isEmpty();
        assertThat(jwt.verify(token)).isEmpty();
    }

    @Test
    void aTamperedTokenStaysRefusedAndTheGenuineOneStillVerifies(@TempDir Path data) {
        JwtService jwt = service(data);
        String token = jwt.issue(ALICE).token();
        String tampered = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");

        assertThat(jwt.verify(tampered)).isEmpty();
        assertThat(jwt.verify(token)).contains("u-1");
        assertThat(jwt.verify(tampered)).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefusedEvenAfterTheRightOneWasRemembered(@TempDir Path one, @TempDir Path other) {
        JwtService mine = service(one);
        JwtService theirs = service(other);
        assertThat(mine.verify(mine.issue(ALICE).token())).contains("u-1");

        assertThat(mine.verify(theirs.issue(ALICE).token())).isEmpty();
    }

    @Test
    void aTokenSignedWithTheRightKeyButWithoutAnExpiryIsRefused(@TempDir Path data) {
        // given a token signed with the service's own key, naming a user, but carrying no "exp"
        JwtService jwt = service(data, SECRET);
        String forever = Jwts.builder().subject("u-1").claim("role", "user")
                .issuedAt(Date.from(clock.instant()))
                .signWith(Keys.hmacShaKeyFor(SECRET.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256)
                .compact();

        // when it is verified
        var verified = jwt.verify(forever);

        // then it is refused, as is a second try, while a token it issued itself verifies
        assertThat(verified).isEmpty();
        assertThat(jwt.verify(forever)).isEmpty();
        assertThat(jwt.verify(jwt.issue(ALICE).token())).contains("u-1");
    }

    private JwtService service(Path data) {
        return service(data, null);
    }

    private JwtService service(Path data, String secret) {
        return new JwtService(new TollgateProperties(data, new TollgateProperties.Jwt(secret, Duration.ofHours(1)),
                new TollgateProperties.Admin(null, null), Duration.ofSeconds(5), 600), clock);
    }
}
