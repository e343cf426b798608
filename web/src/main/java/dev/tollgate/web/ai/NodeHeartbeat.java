package dev.tollgate.web.ai;

import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * This process's name among the nodes on one database, and its word every few seconds that it is still running
 * (ADR 55). A metered call's Idempotency-Key is claimed in this name; a claim whose node has not spoken for
 * {@link #STALE} belongs to a node that stopped, and a retry may take it over.
 */
@Component
public class NodeHeartbeat {
    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
    static final Duration BEAT = Duration.ofSeconds(5);
    /** Six beats missed: a node under a long garbage collection or a slow database is not yet taken for stopped. */
    public static final Duration STALE = Duration.ofSeconds(30);
    private static final Duration FORGET = Duration.ofDays(1);

    private final String nodeId = UUID.randomUUID().toString();
    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "node-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    public NodeHeartbeat(JdbcTemplate jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
        beatQuietly();
        beats.scheduleWithFixedDelay(this::beatQuietly, BEAT.toMillis(), BEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether the node so named has spoken within {@link #STALE}; this node always has. */
    public boolean isRunning(String node) {
        if (nodeId.equals(node)) {
            return true;
        }
        List<Timestamp> seen = jdbc.queryForList("SELECT seen_at FROM node_heartbeat WHERE node_id = ?",
                Timestamp.class, node);
        return !seen.isEmpty() && seen.get(0).toInstant().isAfter(clock.instant().minus(STALE));
    }

    void beat() {
        Instant now = clock.instant();
        if (jdbc.update("UPDATE node_heartbeat SET seen_at = ? WHERE node_id = ?", Timestamp.from(now), nodeId) == 0) {
            jdbc.update("INSERT INTO node_heartbeat (node_id, seen_at) VALUES (?, ?)", nodeId, Timestamp.from(now));
            // Once per start: the names of nodes gone for a day are forgotten.
            jdbc.update("DELETE FROM node_heartbeat WHERE seen_at < ?", Timestamp.from(now.minus(FORGET)));
        }
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (RuntimeException e) {
            // The database is away; the claims of this node wait for it, and the next beat says it is running.
            log.debug("could not record this node's heartbeat", e);
        }
    }

    /** A node that stops in order says so, so its claims (none are running by now) need not wait out STALE. */
    @PreDestroy
    void stop() {
        beats.shutdownNow();
        try {
            jdbc.update("DELETE FROM node_heartbeat WHERE node_id = ?", nodeId);
        } catch (RuntimeException e) {
            log.debug("could not remove this node's heartbeat", e);
        }
    }
}
