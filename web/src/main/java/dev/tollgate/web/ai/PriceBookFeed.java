package dev.tollgate.web.ai;

import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import dev.tollgate.api.pricing.PriceBookId;
import dev.tollgate.domain.metering.PriceBook;
import java.util.List;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventsourcing.eventstore.DomainEventStream;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Keeps this node's {@link PriceBook} equal to the price book's stream in the event store (ADR 28). The stream is
 * read once, on the first lookup, and then from where this node left off: after every price change this node
 * makes, and — where several nodes share the store (PostgreSQL) — whenever one indexed lookup shows that the stream
 * has grown, so a price set on any node applies to every hold placed anywhere after its answer.
 */
public class PriceBookFeed {
    private static final String LAST_SEQUENCE = "SELECT sequenceNumber FROM DomainEventEntry"
            + " WHERE aggregateIdentifier = ? ORDER BY sequenceNumber DESC LIMIT 1";

    private final EventStore events;
    private final PriceBook prices;
    private final JdbcTemplate sharedStore;
    private volatile long known = -1;
    private volatile boolean loaded;

    /** {@code sharedStore}: the store other nodes also write to, or {@code null} when this node is alone. */
    public PriceBookFeed(EventStore events, PriceBook prices, JdbcTemplate sharedStore) {
        this.events = events;
        this.prices = prices;
        this.sharedStore = sharedStore;
        prices.keepFreshWith(this::beFresh);
    }

    private void beFresh() {
        if (!loaded) {
            catchUp();
        } else if (sharedStore != null) {
            List<Long> last = sharedStore.queryForList(LAST_SEQUENCE, Long.class, PriceBookId.VALUE);
            if (!last.isEmpty() && last.get(0) > known) {
                catchUp();
            }
        }
    }

    /** Reads the price book's events this node has not seen yet into its price book. */
    public synchronized void catchUp() {
        DomainEventStream stream = events.readEvents(PriceBookId.VALUE, known + 1);
        while (stream.hasNext()) {
            DomainEventMessage<?> event = stream.next();
            if (event.getPayload() instanceof ModelPriceSet price) {
                prices.record(price);
            } else if (event.getPayload() instanceof MarkupSet markup) {
                prices.record(markup);
            }
            known = event.getSequenceNumber();
        }
        loaded = true;
    }
}
