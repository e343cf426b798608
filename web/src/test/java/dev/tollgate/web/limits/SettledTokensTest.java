package dev.tollgate.web.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.TestClock;
import dev.tollgate.web.identity.Role;
import dev.tollgate.web.security.Caller;
import java.time.Instant;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.Test;

/** Settled tokens count against a caller once the settlement is stored, and only then. */
class SettledTokensTest {
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
    private final AiRateLimits limits = new AiRateLimits(new RateLimitProperties(0, 100, 0, 0, 10, 60, 1_000),
            new TestClock(AT));
    private final SettledTokens settledTokens = new SettledTokens(limits);
    private final Caller ada = new Caller("u-ada", "ada@example.com", Role.USER, null);

    private static ReservationSettled settled(long tokens) {
        Charge charge = new Charge("@cf/meta/llama-3.1-8b-instruct", tokens, 0, TokenSource.PROVIDER,
                Money.ofNanos(282_000_000L), Money.ofNanos(827_000_000L), Money.ofNanos(1), "req-1");
        return new ReservationSettled(AccountId.of("u-ada"), "hold-1", charge, Money.ofNanos(1), Money.ZERO,
                Money.ofNanos(10), Money.ZERO, AT);
    }

    @Test
    void aSettlementWhoseCommitIsRolledBackCountsNothing_andTheOneStoredCountsOnce() {
        // given a settlement of 60 tokens handled in a unit of work that is rolled back (a failed shared commit)
        DefaultUnitOfWork<?> failed = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage(settled(60)));
        settledTokens.on(settled(60));
        failed.rollback();

        // when the same settlement is handled again and committed
        DefaultUnitOfWork<?> stored = DefaultUnitOfWork.startAndGet(GenericEventMessage.asEventMessage(settled(60)));
        settledTokens.on(settled(60));
        stored.commit();

        // then the caller has used 60 of 100 tokens, not 120: the next request is admitted
        assertThat(limits.admit(ada, "req-2").admitted()).isTrue();
        // and one more settlement of 60 outside any unit of work counts at once, past the limit
        settledTokens.on(settled(60));
        assertThat(limits.admit(ada, "req-3").admitted()).isFalse();
    }
}
