package dev.tollgate.web.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.web.TestClock;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.security.Caller;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AiRateLimitsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-11-23T10:00:00Z"));
    private final Caller ada = new Caller("u-ada", "ada@example.com", Role.USER, null);
    private final Caller adasKey = new Caller("u-ada", "ada@example.com", Role.USER, "k-1");
    private final Caller adasOtherKey = new Caller("u-ada", "ada@example.com", Role.USER, "k-2");

    private AiRateLimits limits(long rpm, long tpm, long keyRpm, long keyTpm) {
        return new AiRateLimits(new RateLimitProperties(rpm, tpm, keyRpm, keyTpm, 10, 60, 1_000), clock);
    }

    @Test
    void theRequestPastTheLimitIsRefusedWithTheWaitUntilAPlaceFreesUp() {
        AiRateLimits limits = limits(2, 0, 0, 0);
        limits.admit(ada, "r1");
        clock.advance(Duration.ofSeconds(15));
        AiRateLimits.Admission second = limits.admit(ada, "r2");

        AiRateLimits.Admission third = limits.admit(ada, "r3");

        assertThat(second.headers()).containsEntry("X-RateLimit-Limit", "2").containsEntry("X-RateLimit-Remaining", "0")
                .containsEntry("X-RateLimit-Reset", "60");
        assertThat(third.admitted()).isFalse();
        assertThat(third.retryAfterSeconds()).isEqualTo(45);
        assertThat(third.reason()).contains("2 requests per minute for this user");
    }

    @Test
    void callsWithAnApiKeyCountAgainstTheKeyAndItsUser() {
        AiRateLimits limits = limits(3, 0, 2, 0);
        limits.admit(adasKey, "r1");
        limits.admit(adasKey, "r2");

        AiRateLimits.Admission keyRefused = limits.admit(adasKey, "r3");
        AiRateLimits.Admission otherKey = limits.admit(adasOtherKey, "r4");
        AiRateLimits.Admission userRefused = limits.admit(ada, "r5");

        assertThat(keyRefused.admitted()).isFalse();
        assertThat(keyRefused.reason()).contains("API key");
        assertThat(otherKey.admitted()).isTrue();
        assertThat(userRefused.admitted()).isFalse();
        assertThat(userRefused.reason()).contains("user");
    }

    @Test
    void aRequestRefusedByTheKeyDoesNotUseUpTheUsersBudget() {
        AiRateLimits limits = limits(2, 0, 1, 0);
        limits.admit(adasKey, "r1");

        limits.admit(adasKey, "r2");
        limits.admit(adasKey, "r3");

        assertThat(limits.admit(ada, "r4").admitted()).isTrue();
    }

    @Test
    void settledTokensPastTheLimitRefuseTheNextCallOfTheKeyAndItsUser() {
        AiRateLimits limits = limits(0, 1_000, 0, 1_000);
        assertThat(limits.admit(adasKey, "r1").admitted()).isTrue();
        limits.settled("u-ada", "r1", 1_200);
        limits.finished("r1");

        AiRateLimits.Admission next = limits.admit(adasKey, "r2");
        AiRateLimits.Admission viaLogin = limits.admit(ada, "r3");

        assertThat(next.admitted()).isFalse();
        assertThat(next.reason()).contains("1000 tokens per minute");
        assertThat(next.retryAfterSeconds()).isEqualTo(60);
        assertThat(next.headers()).containsEntry("X-RateLimit-Limit", "1000")
                .containsEntry("X-RateLimit-Remaining", "0").containsEntry("X-RateLimit-Remaining-Tokens", "0");
        assertThat(viaLogin.admitted()).isFalse();
        clock.advance(Duration.ofSeconds(60));
        assertThat(limits.admit(adasKey, "r4").admitted()).isTrue();
    }

    @Test
    void tokensSettledAwayFromTheirRequestCountAgainstTheAccountsUser() {
        AiRateLimits limits = limits(0, 100, 0, 100);

        limits.settled("u-ada", "r-unknown", 100);

        assertThat(limits.admit(ada, "r1").admitted()).isFalse();
    }

    @Test
    void withNoLimitsEveryCallIsAdmittedAndTheHeadersSaySo() {
        AiRateLimits limits = limits(0, 0, 0, 0);

        AiRateLimits.Admission admission = limits.admit(adasKey, "r1");

        assertThat(admission.admitted()).isTrue();
        assertThat(admission.headers()).containsEntry("X-RateLimit-Limit", "2147483647")
                .containsEntry("X-RateLimit-Remaining", "2147483647").containsEntry("X-RateLimit-Reset", "0");
    }
}
