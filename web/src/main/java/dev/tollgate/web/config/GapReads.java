package dev.tollgate.web.config;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.List;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;

/**
 * The event store's read of "the next events after a token that has gaps", written so that H2 uses the index.
 *
 * <p>Axon asks {@code WHERE (index > ? AND index <= ?) OR index IN (gaps…) ORDER BY index}. PostgreSQL answers that
 * with two index scans; H2 2.3 cannot split the {@code OR} and walks the whole event table instead, so on the
 * embedded default every fetch while some transaction was still open (a gap) cost time in proportion to the
 * ledger's size: 4–6 ms at 50,000 events, most of what the embedded store's reader spent under load (ADR 23). The
 * same rows come back here from two indexed reads: the range, and the gaps, which always lie below it.
 */
final class GapReads {
    private GapReads() {
    }

    static PreparedStatement readEventDataWithGaps(Connection connection, EventSchema schema, long globalIndex,
                                                   int batchSize, List<Long> gaps) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql(schema, gaps.size()));
        statement.setLong(1, globalIndex);
        statement.setLong(2, globalIndex + batchSize);
        for (int i = 0; i < gaps.size(); i++) {
            statement.setLong(i + 3, gaps.get(i));
        }
        return statement;
    }

    /** Parameters: the index after which to read, the last index to read, then each gap. */
    static String sql(EventSchema schema, int gapCount) {
        String fields = schema.trackedEventFields();
        String table = schema.domainEventTable();
        String index = schema.globalIndexColumn();
        return "SELECT " + fields + " FROM " + table + " WHERE " + index + " > ? AND " + index + " <= ?"
                + " UNION ALL SELECT " + fields + " FROM " + table + " WHERE " + index + " IN ("
                + String.join(",", Collections.nCopies(gapCount, "?")) + ")"
                + " ORDER BY " + index + " ASC";
    }
}
