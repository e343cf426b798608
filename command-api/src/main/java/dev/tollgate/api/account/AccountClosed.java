package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record AccountClosed(AccountId accountId, String reason, Instant at) implements LedgerEvent {
}
