package dev.tollgate.query.audit;

import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads an account's events as stored, oldest first: the audit trail behind every read model. */
@Component
public class AccountEvents {
    private final JdbcTemplate jdbc;

    public AccountEvents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<StoredEvent> of(String accountId) {
        return jdbc.query("SELECT sequenceNumber, payloadType, payloadRevision, timeStamp, eventIdentifier, payload, "
                        + "metaData FROM DomainEventEntry WHERE aggregateIdentifier = ? ORDER BY sequenceNumber",
                (rs, i) -> new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getBytes(6), rs.getBytes(7)), accountId);
    }
}
