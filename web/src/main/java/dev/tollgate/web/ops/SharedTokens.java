package dev.tollgate.web.ops;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.GenericTokenEntry;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The event processors' tokens as they are stored, read without claiming anything (ADR 46). A node only knows the
 * status of the segments it has claimed; every other node reads the shared token here, so that all nodes report
 * one read model the same way. The token is read as Axon's {@link JdbcTokenStore} reads it: with the store's own
 * serializer, from the table and columns of its schema.
 */
@Component
public class SharedTokens {
    /** Axon's JdbcTokenStore names its claims by this node id unless told otherwise; Tollgate does not tell it. */
    public static final String THIS_NODE = ManagementFactory.getRuntimeMXBean().getName();

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final TokenSchema schema;
    private final Duration claimTimeout;
    private final Clock clock;
    private final String select;

    public SharedTokens(JdbcTemplate jdbc, TokenStore tokenStore, ObjectProvider<TokenSchema> schema,
                        @Value("${axon.eventhandling.tokenstore.claim-timeout:10s}") Duration claimTimeout,
                        Clock clock) {
        this.jdbc = jdbc;
        // Only a JDBC token store keeps tokens in a table every node can read; with any other, a node reports
        // what it has claimed, as before.
        this.serializer = tokenStore instanceof JdbcTokenStore store ? store.serializer() : null;
        this.schema = schema.getIfAvailable(TokenSchema::new);
        this.claimTimeout = claimTimeout;
        this.clock = clock;
        this.select = "SELECT " + String.join(", ", this.schema.processorNameColumn(), this.schema.segmentColumn(),
                this.schema.tokenColumn(), this.schema.tokenTypeColumn(), this.schema.ownerColumn(),
                this.schema.timestampColumn()) + " FROM " + this.schema.tokenTable();
    }

    /** One stored segment of a processor: its token (read when asked for), who claims it and since when. */
    public final class Stored {
        private final String processor;
        private final int segment;
        private final byte[] token;
        private final String tokenType;
        private final String owner;
        private final String timestamp;

        Stored(String processor, int segment, byte[] token, String tokenType, String owner, String timestamp) {
            this.processor = processor;
            this.segment = segment;
            this.token = token;
            this.tokenType = tokenType;
            this.owner = owner;
            this.timestamp = timestamp;
        }

        public int segment() {
            return segment;
        }

        /** The stored token, deserialized as the token store itself would; {@code null} when none is stored. */
        public TrackingToken token() {
            if (token == null || tokenType == null) {
                return null;
            }
            return new GenericTokenEntry<>(token, tokenType, timestamp, owner, processor, segment, byte[].class)
                    .getToken(serializer);
        }

        /**
         * The node that holds a live claim on this segment, or {@code null}: a claim not refreshed within the
         * claim timeout is free for any node to take, as the token store itself decides.
         */
        public String liveOwner() {
            if (owner == null || timestamp == null) {
                return null;
            }
            Instant claimed = DateTimeUtils.parseInstant(timestamp);
            return claimed.plus(claimTimeout).isAfter(clock.instant()) ? owner : null;
        }

        /** Whether another node holds a live claim on this segment. */
        public boolean claimedElsewhere() {
            String live = liveOwner();
            return live != null && !live.equals(THIS_NODE);
        }
    }

    /** Every stored segment, by processor name; empty when tokens are not kept in a shared table. */
    public Map<String, List<Stored>> all() {
        Map<String, List<Stored>> byProcessor = new LinkedHashMap<>();
        if (serializer == null) {
            return byProcessor;
        }
        jdbc.query(select + " ORDER BY " + schema.processorNameColumn() + ", " + schema.segmentColumn(), rs -> {
            Stored stored = new Stored(rs.getString(1), rs.getInt(2), rs.getBytes(3), rs.getString(4),
                    rs.getString(5), rs.getString(6));
            byProcessor.computeIfAbsent(stored.processor, p -> new ArrayList<>()).add(stored);
        });
        return byProcessor;
    }

    /** The stored segments of one processor, lowest first. */
    public List<Stored> of(String processor) {
        List<Stored> segments = new ArrayList<>();
        if (serializer == null) {
            return segments;
        }
        jdbc.query(select + " WHERE " + schema.processorNameColumn() + " = ? ORDER BY " + schema.segmentColumn(),
                rs -> {
                    segments.add(new Stored(rs.getString(1), rs.getInt(2), rs.getBytes(3), rs.getString(4),
                            rs.getString(5), rs.getString(6)));
                }, processor);
        return segments;
    }
}
