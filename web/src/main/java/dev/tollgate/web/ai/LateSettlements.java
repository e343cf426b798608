package dev.tollgate.web.ai;

import dev.tollgate.api.LedgerRejection;
import dev.tollgate.api.account.SettleReservation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Settlements of output that already reached its caller (a stream) but could not be stored when the call ended,
 * because the database was away. Without this the hold would expire and be released, and delivered output would go
 * unpaid. Each is sent again with back-off until it is stored, the ledger rejects it, or the time it was given has
 * passed (an hour past its hold's deadline: the ledger still settles a lapsed hold, ADR 42). Exactly once rests on
 * the hold: it settles once, and a second settlement of it is rejected ({@code UnknownHoldException}), so a first
 * attempt that was in fact stored ends the retries rather than charging twice.
 * <p>
 * Kept in memory: a node that stops while the database is away loses its late settlements, and those holds are
 * released by their deadlines, as before.
 */
@Component
public class LateSettlements {
    private static final Logger log = LoggerFactory.getLogger(LateSettlements.class);
    private static final Duration FIRST_WAIT = Duration.ofSeconds(1);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(30);

    private final Consumer<SettleReservation> settle;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final Duration firstWait;
    private final Duration longestWait;

    @Autowired
    public LateSettlements(CommandGateway commands, Clock clock) {
        this(commands::sendAndWait, daemonScheduler(), clock, FIRST_WAIT, LONGEST_WAIT);
    }

    LateSettlements(Consumer<SettleReservation> settle, ScheduledExecutorService scheduler, Clock clock,
                    Duration firstWait, Duration longestWait) {
        this.settle = settle;
        this.scheduler = scheduler;
        this.clock = clock;
        this.firstWait = firstWait;
        this.longestWait = longestWait;
    }

    /**
     * True when {@code failure} says nothing about the settlement itself (storage away, a lost race retried to
     * its limit): worth sending again. A ledger rejection is an answer.
     */
    static boolean worthRetrying(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof LedgerRejection) {
                return false;
            }
        }
        return true;
    }

    /** Sends {@code settlement} again later, until it is stored or {@code holdExpires}, the time given, has passed. */
    public void retry(SettleReservation settlement, Instant holdExpires) {
        log.warn("settlement of {} ({} nano-USD) could not be stored; retrying until {}", settlement.holdId(),
                settlement.charge().cost().nanos(), holdExpires);
        schedule(settlement, holdExpires, firstWait);
    }

    private void schedule(SettleReservation settlement, Instant holdExpires, Duration wait) {
        scheduler.schedule(() -> attempt(settlement, holdExpires, wait), wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void attempt(SettleReservation settlement, Instant holdExpires, Duration waited) {
        if (!clock.instant().isBefore(holdExpires)) {
            log.error("settlement of {} ({} nano-USD) was never stored; its hold expired and was released",
                    settlement.holdId(), settlement.charge().cost().nanos());
            return;
        }
        try {
            settle.accept(settlement);
            log.info("late settlement of {} stored", settlement.holdId());
        } catch (RuntimeException failed) {
            if (!worthRetrying(failed)) {
                // Already settled by the first attempt after all, or released by its deadline: nothing to book.
                log.info("late settlement of {} ended: {}", settlement.holdId(), failed.getMessage());
                return;
            }
            Duration next = waited.multipliedBy(2).compareTo(longestWait) > 0 ? longestWait : waited.multipliedBy(2);
            schedule(settlement, holdExpires, next);
        }
    }

    private static ScheduledExecutorService daemonScheduler() {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "late-settlements");
            t.setDaemon(true);
            return t;
        });
    }
}
