package dev.tollgate.web.ops;

import dev.tollgate.query.balance.BalanceProjection;
import dev.tollgate.query.history.HistoryProjection;
import dev.tollgate.query.usage.UsageProjection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackerStatus;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.eventhandling.TrackingToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The read models as an operator sees them: where each processing group is in the event stream, how far behind
 * the head, and a replay that rebuilds a read model from the events. Only read models can be replayed; the
 * transfer process moves money and is never replayed.
 * <p>
 * With several nodes on one database (ADR 18, ADR 46) a read model is shared, and so is its status: a node reports
 * the segments it has claimed from its own processor, and every other segment from the token stored for it, read
 * without claiming. Whichever node is asked, the answer is the same.
 */
@Component
public class Projections {
    private static final Logger log = LoggerFactory.getLogger(Projections.class);
    /** The read models, each a processing group with its own tables: the names an operator sees and replays. */
    public static final Set<String> REPLAYABLE = Set.of(BalanceProjection.GROUP, HistoryProjection.GROUP,
            UsageProjection.GROUP);
    /** The one tracking processor that runs all of them (ADR 51): they share its token, its status and its replays. */
    public static final String READ_MODELS = "read-models";

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final SharedTokens tokens;
    private final ReplayRequests replays;

    public Projections(EventProcessingConfiguration processing, EventStore eventStore, SharedTokens tokens,
                       ReplayRequests replays) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.tokens = tokens;
        this.replays = replays;
    }

    /** {@code owner}: the node holding a live claim on the group's token (several, comma-separated), or null. */
    public record Status(String name, Long position, Long head, Long lag, String status, boolean replayable,
                         String owner) {
    }

    public List<Status> status() {
        long head = position(eventStore.createHeadToken()).orElse(-1);
        Map<String, List<SharedTokens.Stored>> stored;
        Set<String> pending;
        try {
            stored = tokens.all();
            pending = replays.pending();
        } catch (RuntimeException unreadable) {
            // What this node has claimed is still worth reporting when the shared tables cannot be read.
            log.debug("stored tokens could not be read", unreadable);
            stored = Map.of();
            pending = Set.of();
        }
        List<Status> all = new ArrayList<>();
        for (Map.Entry<String, EventProcessor> entry : processing.eventProcessors().entrySet()) {
            if (!(entry.getValue() instanceof StreamingEventProcessor processor)) {
                continue;
            }
            String processorName = entry.getKey();
            List<SharedTokens.Stored> itsTokens = stored.getOrDefault(processorName, List.of());
            boolean replayAsked = pending.contains(processorName) || replays.underway(processorName);
            if (READ_MODELS.equals(processorName)) {
                // Operators know the read models by name; each reports the processor they share.
                for (String readModel : REPLAYABLE) {
                    all.add(status(readModel, processor, itsTokens, replayAsked, head));
                }
            } else {
                all.add(status(processorName, processor, itsTokens, replayAsked, head));
            }
        }
        all.sort(java.util.Comparator.comparing(Status::name));
        return all;
    }

    static Status status(String name, StreamingEventProcessor processor, List<SharedTokens.Stored> stored,
                         boolean replayAsked, long head) {
        Map<Integer, EventTrackerStatus> segments = new TreeMap<>(processor.processingStatus());
        int[] ids = stored.stream().mapToInt(SharedTokens.Stored::segment).toArray();
        Set<String> owners = new TreeSet<>();
        for (SharedTokens.Stored s : stored) {
            if (s.liveOwner() != null) {
                owners.add(s.liveOwner());
            }
            if (!segments.containsKey(s.segment())) {
                // Not claimed here: the stored token is the segment's status, as its owner last committed it.
                segments.put(s.segment(), new TrackerStatus(Segment.computeSegment(s.segment(), ids), s.token()));
            }
        }
        if (!processor.processingStatus().isEmpty()) {
            owners.add(SharedTokens.THIS_NODE);
        }
        Long position = segments.values().stream()
                .map(s -> s.getCurrentPosition())
                .filter(OptionalLong::isPresent)
                .map(OptionalLong::getAsLong)
                .min(Long::compare)
                .orElse(null);
        boolean atHead = head < 0 || (position != null && position >= head);
        String state;
        if (processor.isError() || segments.values().stream().anyMatch(EventTrackerStatus::isErrorState)) {
            // isError: the processor paused itself after an Error (an OutOfMemoryError, say) and will not resume.
            state = "error";
        } else if (replayAsked) {
            // Asked for and not yet begun, or stopped here for its reset: what is there now is about to be rebuilt.
            // Before "stopped", which would raise an operator's alarm for every routine replay.
            state = "replaying";
        } else if (!processor.isRunning() && owners.stream().allMatch(SharedTokens.THIS_NODE::equals)) {
            state = "stopped"; // not here, and no other node holds it either
        } else if (atHead) {
            // Axon keeps a replay token until an event beyond the reset point arrives; at the head it is done.
            state = "caught_up";
        } else if (segments.values().stream().anyMatch(EventTrackerStatus::isReplaying)) {
            state = "replaying";
        } else {
            state = "catching_up";
        }
        Long lag = position == null || head < 0 ? null : Math.max(0, head - position);
        return new Status(name, position, head < 0 ? null : head, lag, state, REPLAYABLE.contains(name),
                owners.isEmpty() ? null : String.join(",", owners));
    }

    public boolean exists(String name) {
        if (READ_MODELS.equals(name)) {
            return false; // known by its read models' names only
        }
        return processing.eventProcessor(processorOf(name), StreamingEventProcessor.class).isPresent();
    }

    /** The processor that runs a read model or a process: for a read model, the one they share. */
    public static String processorOf(String name) {
        return REPLAYABLE.contains(name) ? READ_MODELS : name;
    }

    /**
     * Asks for a read model to be rebuilt: its processor is stopped, its tokens reset (its @ResetHandler clears its
     * tables) and started again, by whichever node holds its token (ADR 46). The read models share one processor
     * (ADR 51), so asking for one rebuilds all three. Returns once the request is recorded; the status says
     * "replaying" from then until the rebuild has caught up.
     */
    public void replay(String name) {
        if (!REPLAYABLE.contains(name) || !exists(name)) {
            throw new IllegalArgumentException("no such projection");
        }
        replays.request(READ_MODELS);
    }

    private static OptionalLong position(TrackingToken token) {
        return token == null ? OptionalLong.empty() : token.position();
    }
}
