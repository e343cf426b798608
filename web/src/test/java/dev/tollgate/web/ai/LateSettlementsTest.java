package dev.tollgate.web.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.account.UnknownHoldException;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

/** A streamed call's settlement that could not be stored is booked later, once, or given up when its hold lapses. */
class LateSettlementsTest {
    private static final SettleReservation SETTLEMENT = new SettleReservation(AccountId.of("alice"), "hold_req_1",
            new Charge("@cf/meta/llama-3.1-8b-instruct", 10, 2, TokenSource.PROVIDER, Money.ofNanos(282_000_000),
                    Money.ofNanos(827_000_000), Money.ofNanos(4_474), "req_1"), Instant.parse("2026-11-23T10:00:00Z"));

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<SettleReservation> stored = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void aSettlementTheDatabaseCouldNotTakeIsStoredOnceItIsBack() throws Exception {
        // given a ledger whose database is away for the next two attempts
        LateSettlements late = late(settlement -> {
            if (attempts.incrementAndGet() <= 2) {
                throw new CannotGetJdbcConnectionException("database away");
            }
            stored.add(settlement);
        });

        // when the settlement is handed over for later
        late.retry(SETTLEMENT, Instant.now().plusSeconds(60));

        // then it is stored exactly once, on the third attempt, and not sent again
        waitUntil(() -> !stored.isEmpty());
        Thread.sleep(100);
        assertThat(stored).containsExactly(SETTLEMENT);
        assertThat(attempts.get()).isEqualTo(3);
    }

    @Test
    void aSettlementTheLedgerRejectsIsNotSentAgain() throws Exception {
        // given a hold that was settled by the first attempt after all (its answer was lost)
        LateSettlements late = late(settlement -> {
            attempts.incrementAndGet();
            throw new UnknownHoldException("no open hold hold_req_1");
        });

        // when the settlement is retried, then the rejection ends it: one attempt, nothing charged twice
        late.retry(SETTLEMENT, Instant.now().plusSeconds(60));
        waitUntil(() -> attempts.get() > 0);
        Thread.sleep(100);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(LateSettlements.worthRetrying(new RuntimeException(new UnknownHoldException("x")))).isFalse();
        assertThat(LateSettlements.worthRetrying(new CannotGetJdbcConnectionException("away"))).isTrue();
    }

    @Test
    void aSettlementWhoseHoldHasLapsedIsGivenUp() throws Exception {
        // given a database that never comes back, and a hold that expires in 100 ms
        LateSettlements late = late(settlement -> {
            attempts.incrementAndGet();
            throw new CannotGetJdbcConnectionException("database away");
        });

        // when the settlement is retried past the hold's expiry
        late.retry(SETTLEMENT, Instant.now().plusMillis(100));
        Thread.sleep(400);
        int afterExpiry = attempts.get();
        Thread.sleep(200);

        // then it was tried while the hold lived, and not after
        assertThat(afterExpiry).isPositive();
        assertThat(attempts.get()).isEqualTo(afterExpiry);
    }

    private LateSettlements late(java.util.function.Consumer<SettleReservation> settle) {
        return new LateSettlements(settle, scheduler, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(20));
    }

    private static void waitUntil(java.util.function.BooleanSupplier done) throws InterruptedException {
        for (int i = 0; i < 500 && !done.getAsBoolean(); i++) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(done.getAsBoolean()).as("within 5 s").isTrue();
    }
}
