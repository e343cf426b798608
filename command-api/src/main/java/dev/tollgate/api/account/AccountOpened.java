package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * An account was opened. Revision 2 added {@code kind} (teams have accounts too); revision-1 events, all of them
 * user accounts, are read through {@code AccountOpenedUpcaster} — released events are never edited.
 */
@Revision("2")
public record AccountOpened(AccountId accountId, AccountKind kind, Instant at) implements LedgerEvent {
    public AccountOpened {
        if (kind == null) {
            throw new IllegalArgumentException("an opened account has a kind");
        }
    }
}
