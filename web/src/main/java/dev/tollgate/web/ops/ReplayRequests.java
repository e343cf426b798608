package dev.tollgate.web.ops;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Replays asked of any node, carried out by the node that holds the read model's token (ADR 46).
 * <p>
 * A tracking processor can only be reset by a node that can claim every one of its segments; with several nodes on
 * one database, the node an operator's request reaches is often not that node. So a request is recorded in
 * {@code projection_replay}, and every node looks at the table once a second (and at once when it took a request
 * itself). The node whose processor holds the segments (or, when no node holds a live claim, any node) stops its
 * processor, resets the tokens and marks the request carried out in one transaction, then starts the processor. A
 * node that does not hold the segments keeps its own processor from claiming them while the request is pending, so
 * the segments are not taken from the owner in the moment between its stop and its reset; should that happen all
 * the same, the reset fails, nothing is marked, and the node that now holds them carries the request out.
 */
@Component
public class ReplayRequests {
    private static final Logger log = LoggerFactory.getLogger(ReplayRequests.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final EventProcessingConfiguration processing;
    private final SharedTokens tokens;
    private final Clock clock;
    private final Duration poll;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Processors this node has stopped to reset and not yet started again. */
    private final Set<String> underway = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "projection-replay");
        t.setDaemon(true);
        return t;
    });

    public ReplayRequests(JdbcTemplate jdbc, PlatformTransactionManager transactions,
                          EventProcessingConfiguration processing, SharedTokens tokens, Clock clock,
                          @Value("${tollgate.replay-poll:1s}") Duration poll) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
        this.processing = processing;
        this.tokens = tokens;
        this.clock = clock;
        this.poll = poll;
    }

    /**
     * Records a replay of the named processor and looks at once whether this node can carry it out. A request made
     * while an earlier one is still pending joins it: the one reset that follows satisfies both.
     */
    public void request(String name) {
        Timestamp now = Timestamp.from(clock.instant());
        transaction.executeWithoutResult(tx -> {
            if (askAgain(name, now) == 0) {
                try {
                    jdbc.update("INSERT INTO projection_replay (processor_name, requested, carried_out, requested_at, "
                            + "requested_on) VALUES (?, 1, 0, ?, ?)", name, now, SharedTokens.THIS_NODE);
                } catch (DuplicateKeyException anotherNodeFirst) {
                    askAgain(name, now);
                }
            }
        });
        log.info("replay of {} requested", name);
        if (!closing.get()) {
            worker.execute(this::carryOutPending);
        }
    }

    private int askAgain(String name, Timestamp now) {
        return jdbc.update("UPDATE projection_replay SET requested = requested + 1, requested_at = ?, requested_on = ? "
                + "WHERE processor_name = ?", now, SharedTokens.THIS_NODE, name);
    }

    /**
     * Whether this node is carrying out a replay of the processor: stopped for its reset, or reset and not yet
     * started. Its status is then "replaying", not "stopped".
     */
    public boolean underway(String name) {
        return underway.contains(name);
    }

    /** The processors with a replay asked for and not yet carried out, by any node. */
    public Set<String> pending() {
        return new HashSet<>(jdbc.queryForList(
                "SELECT processor_name FROM projection_replay WHERE requested > carried_out", String.class));
    }

    @EventListener(ApplicationReadyEvent.class)
    public void watch() {
        // Also picks up what was pending when the node started (a request whose node died before carrying it out).
        worker.scheduleWithFixedDelay(this::carryOutPending, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A replay is never begun while the node shuts down: it would start processors Axon is stopping. */
    @EventListener(ContextClosedEvent.class)
    public void close() throws InterruptedException {
        closing.set(true);
        worker.shutdown();
        worker.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** Carries out, or keeps clear of, every pending request; runs on the replay thread only. */
    void carryOutPending() {
        if (closing.get()) {
            return;
        }
        try {
            for (String name : pending()) {
                StreamingEventProcessor processor = processing.eventProcessor(name, StreamingEventProcessor.class)
                        .orElse(null);
                if (processor == null || !Projections.READ_MODELS.equals(name) || !processor.isRunning()) {
                    continue;
                }
                List<SharedTokens.Stored> segments = tokens.of(name);
                boolean heldByAnother = segments.stream().anyMatch(s ->
                        s.claimedElsewhere() && !processor.processingStatus().containsKey(s.segment()));
                if (heldByAnother) {
                    keepClear(processor, segments);
                } else {
                    carryOut(name, processor, segments);
                }
            }
        } catch (RuntimeException failed) {
            log.warn("could not look for replay requests; looking again in {}", poll, failed);
        }
    }

    /**
     * Another node holds the segments: this node's processor does not claim them while the request is pending, for
     * a few polls at a time, so the owner's stop and reset are not interrupted by a claim from here.
     */
    private void keepClear(StreamingEventProcessor processor, List<SharedTokens.Stored> segments) {
        long clearFor = Math.max(3_000, 3 * poll.toMillis());
        for (SharedTokens.Stored s : segments) {
            if (!processor.processingStatus().containsKey(s.segment())) {
                processor.releaseSegment(s.segment(), clearFor, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void carryOut(String name, StreamingEventProcessor processor, List<SharedTokens.Stored> segments) {
        underway.add(name);
        processor.shutDown();
        try {
            Boolean reset = transaction.execute(tx -> {
                // Locks the request: a request arriving meanwhile waits, then counts for the next replay.
                List<Long> requested = jdbc.queryForList("SELECT requested FROM projection_replay "
                        + "WHERE processor_name = ? AND requested > carried_out FOR UPDATE", Long.class, name);
                if (requested.isEmpty()) {
                    return false; // another node carried it out since this one looked
                }
                // Joins this transaction (Axon's transaction manager is Spring's): the tokens, the cleared tables
                // and the mark commit together, or none of them does.
                processor.resetTokens();
                jdbc.update("UPDATE projection_replay SET carried_out = ?, carried_out_at = ?, carried_out_on = ? "
                        + "WHERE processor_name = ?", requested.get(0), Timestamp.from(clock.instant()),
                        SharedTokens.THIS_NODE, name);
                return true;
            });
            if (Boolean.TRUE.equals(reset)) {
                log.info("replay of {} started", name);
            }
        } catch (UnableToClaimTokenException claimedMeanwhile) {
            log.info("replay of {} is left to the node that claimed its token meanwhile: {}", name,
                    claimedMeanwhile.getMessage());
        } catch (RuntimeException failed) {
            log.error("replay of {} failed to start; it stays pending and is tried again", name, failed);
        } finally {
            // Lifts what keepClear may have set while another node held the segments.
            for (SharedTokens.Stored s : segments) {
                processor.releaseSegment(s.segment(), -1, TimeUnit.MILLISECONDS);
            }
            if (!processor.isRunning()) {
                processor.start();
            }
            underway.remove(name);
        }
    }
}
