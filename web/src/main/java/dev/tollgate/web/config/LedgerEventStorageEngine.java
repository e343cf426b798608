package dev.tollgate.web.config;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.axonframework.common.jdbc.JdbcUtils;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;

/**
 * Axon's JDBC event store, reading each stored event's time once. Axon keeps an entry's time as text and parses it
 * with {@code DateTimeFormatter} every time it is asked: twice for every event and every read model (once to decide
 * about gaps, once for the message), a tenth of a replay's CPU (ADR 22). The entries read here parse their time
 * once, in the canonical shape Axon writes, and fall back to Axon's own parser for anything else. Appended events'
 * times are written in that same shape without Axon's formatter ({@link InstantText#formatCanonical}).
 *
 * <p>{@link #getTrackedEventData} is Axon 4.13's own logic, unchanged but for the entry it builds; its gap settings
 * are passed in here because Axon keeps them private.
 *
 * <p>New events are read more cheaply than Axon reads them (ADR 48). The event store's reader reads whenever a
 * commit tells it of new events, a few events each time under load, and each of its reads ends with a query that
 * finds nothing. Axon ran every such query in a transaction of its own and followed each empty one with a second
 * query, looking past a possible gap wider than a batch. Here the queries run without a transaction (at READ
 * COMMITTED each statement sees what is committed, with or without one), and the look past a wide gap runs at most
 * every {@link #WIDE_GAP_CHECK_MILLIS} ms.
 */
public class LedgerEventStorageEngine extends JdbcEventStorageEngine {
    /** Axon's default: a token with more gaps than this has the old ones cleaned before a read. */
    static final int GAP_CLEANING_THRESHOLD = 250;
    /**
     * How often an empty read may look for events past a gap wider than a batch. Such a gap needs a batch's worth of
     * rolled-back appends in a row; a reader that meets one crosses it at its next read after this delay.
     */
    static final long WIDE_GAP_CHECK_MILLIS = 100;

    private final int gapTimeoutMillis;
    private final int maxGapOffset;
    private final long lowestGlobalSequence;
    private final LongSupplier nanoTime;
    private final AtomicLong lastWideGapCheck;

    public LedgerEventStorageEngine(Builder builder, int gapTimeoutMillis, int maxGapOffset,
                                    long lowestGlobalSequence) {
        this(builder, gapTimeoutMillis, maxGapOffset, lowestGlobalSequence, System::nanoTime);
    }

    LedgerEventStorageEngine(Builder builder, int gapTimeoutMillis, int maxGapOffset, long lowestGlobalSequence,
                             LongSupplier nanoTime) {
        super(builder.gapTimeout(gapTimeoutMillis).maxGapOffset(maxGapOffset)
                .lowestGlobalSequence(lowestGlobalSequence).gapCleaningThreshold(GAP_CLEANING_THRESHOLD));
        this.gapTimeoutMillis = gapTimeoutMillis;
        this.maxGapOffset = maxGapOffset;
        this.lowestGlobalSequence = lowestGlobalSequence;
        this.nanoTime = nanoTime;
        this.lastWideGapCheck = new AtomicLong(
                nanoTime.getAsLong() - TimeUnit.MILLISECONDS.toNanos(WIDE_GAP_CHECK_MILLIS));
    }

    /** Every appended event's time, written as Axon writes it, without its general-purpose formatter. */
    @Override
    protected void writeTimestamp(PreparedStatement statement, int position, Instant timestamp)
            throws SQLException {
        String text = InstantText.formatCanonical(timestamp);
        if (text == null) {
            super.writeTimestamp(statement, position, timestamp);
        } else {
            statement.setString(position, text);
        }
    }

    /**
     * Axon's read of the events after a token, without a transaction around it, and with the look past a wide gap
     * limited in frequency. A token with many gaps is left to Axon's own read, which cleans the old ones first.
     */
    @Override
    protected List<? extends TrackedEventData<?>> fetchTrackedEvents(TrackingToken lastToken, int batchSize) {
        GapAwareTrackingToken token = (GapAwareTrackingToken) lastToken;
        if (token != null && token.getGaps().size() > GAP_CLEANING_THRESHOLD) {
            return super.fetchTrackedEvents(lastToken, batchSize);
        }
        List<TrackedEventData<?>> events = read(token, batchSize);
        if (events.isEmpty() && wideGapCheckDue()) {
            long index = token == null ? -1 : token.getIndex();
            Long next = JdbcUtils.executeQuery(getConnection(), connection -> fetchTrackedEvents(connection, index),
                    resultSet -> JdbcUtils.nextAndExtract(resultSet, 1, Long.class),
                    e -> new EventStoreException("Failed to read globalIndex ahead of token", e));
            if (next != null) {
                // A whole batch from the far side of the gap, which holds nothing.
                return read(token, (int) Math.min(Integer.MAX_VALUE, next - index - 1 + batchSize));
            }
        }
        return events;
    }

    private List<TrackedEventData<?>> read(GapAwareTrackingToken token, int batchSize) {
        return JdbcUtils.executeQuery(getConnection(), connection -> readEventData(connection, token, batchSize),
                resultSet -> {
                    GapAwareTrackingToken previous = token;
                    List<TrackedEventData<?>> events = new ArrayList<>();
                    while (resultSet.next()) {
                        TrackedEventData<?> next = getTrackedEventData(resultSet, previous);
                        events.add(next);
                        previous = (GapAwareTrackingToken) next.trackingToken();
                    }
                    return events;
                },
                e -> new EventStoreException("Failed to read events from token [" + token + "]", e));
    }

    private boolean wideGapCheckDue() {
        long now = nanoTime.getAsLong();
        long last = lastWideGapCheck.get();
        return now - last >= TimeUnit.MILLISECONDS.toNanos(WIDE_GAP_CHECK_MILLIS)
                && lastWideGapCheck.compareAndSet(last, now);
    }

    @Override
    protected TrackedEventData<?> getTrackedEventData(ResultSet resultSet, GapAwareTrackingToken previousToken)
            throws SQLException {
        EventSchema schema = schema();
        long globalSequence = resultSet.getLong(schema.globalIndexColumn());
        DomainEventData<?> event = entry(resultSet);
        boolean allowGaps = event.getTimestamp().isAfter(
                GenericEventMessage.clock.instant().minus(gapTimeoutMillis, ChronoUnit.MILLIS));
        GapAwareTrackingToken token;
        if (previousToken == null) {
            token = GapAwareTrackingToken.newInstance(globalSequence, allowGaps
                    ? LongStream.range(Math.min(lowestGlobalSequence, globalSequence), globalSequence).boxed()
                            .collect(Collectors.toCollection(TreeSet::new))
                    : Collections.emptySortedSet());
        } else {
            token = previousToken.advanceTo(globalSequence, allowGaps ? maxGapOffset : 0);
        }
        return new TrackedDomainEventData<>(token, event);
    }

    @Override
    protected DomainEventData<?> getDomainEventData(ResultSet resultSet) throws SQLException {
        return entry(resultSet);
    }

    private DomainEventData<?> entry(ResultSet resultSet) throws SQLException {
        EventSchema schema = schema();
        String aggregateIdentifier = resultSet.getString(schema.aggregateIdentifierColumn());
        String eventIdentifier = resultSet.getString(schema.eventIdentifierColumn());
        return new TimedOnceEntry<>(resultSet.getString(schema.typeColumn()),
                // Axon stores an event that belongs to no aggregate under its own id as the aggregate's.
                eventIdentifier.equals(aggregateIdentifier) ? null : aggregateIdentifier,
                resultSet.getLong(schema.sequenceNumberColumn()), eventIdentifier,
                readTimeStamp(resultSet, schema.timestampColumn()),
                resultSet.getString(schema.payloadTypeColumn()), resultSet.getString(schema.payloadRevisionColumn()),
                readPayload(resultSet, schema.payloadColumn()), readPayload(resultSet, schema.metaDataColumn()));
    }

    /** A stored event whose time is parsed on first use and then remembered. */
    static final class TimedOnceEntry<T> extends GenericDomainEventEntry<T> {
        private final Object storedTime;
        private Instant time;

        TimedOnceEntry(String type, String aggregateIdentifier, long sequenceNumber, String eventIdentifier,
                       Object storedTime, String payloadType, String payloadRevision, T payload, T metaData) {
            super(type, aggregateIdentifier, sequenceNumber, eventIdentifier, storedTime, payloadType,
                    payloadRevision, payload, metaData);
            this.storedTime = storedTime;
        }

        @Override
        public Instant getTimestamp() {
            // Read by one thread at a time; a second parse in a race would give the same immutable value.
            Instant known = time;
            if (known == null) {
                known = storedTime instanceof CharSequence text ? InstantText.parseCanonical(text) : null;
                if (known == null) {
                    known = super.getTimestamp();
                }
                time = known;
            }
            return known;
        }
    }
}
