package dev.tollgate.query.history;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import java.sql.Timestamp;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import dev.tollgate.query.BatchedWrites;
import dev.tollgate.query.Positions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.SequenceNumber;
import org.axonframework.messaging.annotation.MessageIdentifier;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Records one row per movement of an account's booked money. A row's id is the event's id, so it names the entry
 * for good (the same after a replay), and its {@code seq} is the event's place in the account's stream, which
 * orders the history and makes pagination stable while new entries arrive. Holds are not entries: they move no
 * booked money. Rows and positions are written once per batch of events (ADR 15).
 */
@Component
@ProcessingGroup(HistoryProjection.GROUP)
public class HistoryProjection {
    public static final String GROUP = "history";
    private static final String PENDING = GROUP + ".pending";

    private final JdbcTemplate jdbc;
    private final Positions positions;

    public HistoryProjection(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
        this.positions = new Positions(jdbc, "history_position");
    }

    @EventHandler
    void on(CreditsDeposited e, @MessageIdentifier String id, @SequenceNumber long seq) {
        record(id, e.accountId(), seq, "deposit", e.amount(), e.balanceAfter(), e.at(),
                AccountId.FUNDING.value(), null, e.entryId(), e.note());
    }

    @EventHandler
    void on(CreditsDeducted e, @MessageIdentifier String id, @SequenceNumber long seq) {
        record(id, e.accountId(), seq, "deduction", e.amount().negate(), e.balanceAfter(), e.at(),
                AccountId.ADJUSTMENTS.value(), null, e.entryId(), e.note());
    }

    @EventHandler
    void on(TransferSent e, @MessageIdentifier String id, @SequenceNumber long seq) {
        record(id, e.from(), seq, "transfer_out", e.amount().negate(), e.balanceAfter(), e.at(), e.to().value(),
                null, e.transferId(), e.note());
    }

    @EventHandler
    void on(TransferReceived e, @MessageIdentifier String id, @SequenceNumber long seq) {
        record(id, e.to(), seq, "transfer_in", e.amount(), e.balanceAfter(), e.at(), e.from().value(), null,
                e.transferId(), e.note());
    }

    @EventHandler
    void on(TransferRefunded e, @MessageIdentifier String id, @SequenceNumber long seq) {
        record(id, e.from(), seq, "transfer_refund", e.amount(), e.balanceAfter(), e.at(), e.to().value(), null,
                e.transferId(), e.reason());
    }

    @EventHandler
    void on(ReservationSettled e, @MessageIdentifier String id, @SequenceNumber long seq) {
        var charge = e.charge();
        String counted = charge.units().isEmpty()
                ? charge.inputTokens() + " input + " + charge.outputTokens() + " output tokens"
                : String.join(" + ", charge.units().stream().map(u -> u.quantity() + " " + u.unit()).toList());
        String description = counted + " (" + charge.tokenSource().name().toLowerCase(java.util.Locale.ROOT) + ")";
        if (e.collected().isLessThan(charge.cost())) {
            // The units above are worth the whole cost; the amount is only what the balance could give (ADR 7).
            description += "; cost " + charge.cost().toUsdString() + ", of which only "
                    + e.collected().toUsdString() + " was available";
        }
        record(id, e.accountId(), seq, "charge", e.collected().negate(), e.balanceAfter(), e.at(),
                AccountId.REVENUE.value(), charge.model(), charge.requestId(), description);
    }

    /** Every other event of an account moves no booked money, but it does move this read model's position. */
    @EventHandler(payloadType = LedgerEvent.class)
    void on(DomainEventMessage<?> event) {
        // The account is the stream the event belongs to: its payload is never read here (ADR 22).
        BatchedWrites.record(PENDING, Pending::new,
                p -> p.reached.advance(event.getAggregateIdentifier(), event.getSequenceNumber()), this::flush);
    }

    @ResetHandler
    void reset() {
        BatchedWrites.clear(jdbc, "ledger_entry");
        positions.clear();
    }

    private void record(String id, AccountId account, long seq, String type, Money amount, Money balanceAfter,
                        Instant at, String counterparty, String model, String requestId, String description) {
        Entry row = new Entry(id, account.value(), seq, type, amount.nanos(), balanceAfter.nanos(), Timestamp.from(at),
                counterparty, model, requestId, storable(description));
        BatchedWrites.record(PENDING, Pending::new, p -> {
            p.rows.put(id, row);
            p.reached.advance(account.value(), seq);
        }, this::flush);
    }

    /**
     * A note as a text column can hold it: PostgreSQL refuses U+0000 in text, and an event is never edited, so a note
     * that carries one (accepted before the API refused it) would stop this read model at that event for good. It is
     * recorded with U+FFFD in its place, on every database alike, so a rebuild gives the same rows.
     */
    static String storable(String text) {
        return text == null || text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    /** One row of the table, as inserted. */
    private record Entry(String id, String account, long seq, String type, long amount, long balanceAfter,
                         Timestamp at, String counterparty, String model, String requestId, String description) {
    }

    /** A batch's new entries and positions. */
    private static final class Pending {
        final Map<String, Entry> rows = new LinkedHashMap<>();
        final Positions.Reached reached = new Positions.Reached();
    }

    private void flush(Pending pending) {
        // A redelivered event is at or below the position recorded with its row, in the same transaction: it is
        // skipped, so recording is idempotent without looking each entry up (ADR 22).
        Map<String, Long> recorded = positions.recorded(pending.reached.accounts());
        List<Entry> inserts = pending.rows.values().stream()
                .filter(row -> row.seq() > recorded.getOrDefault(row.account(), -1L)).toList();
        if (!inserts.isEmpty()) {
            // Bound by hand: Spring's generic binding of each value by its SQL type was a tenth of a rebuild's CPU.
            jdbc.batchUpdate("INSERT INTO ledger_entry (id, account_id, seq, type, amount_nanos, "
                    + "balance_after_nanos, at, counterparty, model, request_id, description) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new BatchPreparedStatementSetter() {
                        @Override
                        public void setValues(PreparedStatement ps, int i) throws SQLException {
                            Entry row = inserts.get(i);
                            ps.setString(1, row.id());
                            ps.setString(2, row.account());
                            ps.setLong(3, row.seq());
                            ps.setString(4, row.type());
                            ps.setLong(5, row.amount());
                            ps.setLong(6, row.balanceAfter());
                            ps.setTimestamp(7, row.at());
                            ps.setString(8, row.counterparty());
                            ps.setString(9, row.model());
                            ps.setString(10, row.requestId());
                            ps.setString(11, row.description());
                        }

                        @Override
                        public int getBatchSize() {
                            return inserts.size();
                        }
                    });
        }
        positions.record(pending.reached, recorded);
    }
}
