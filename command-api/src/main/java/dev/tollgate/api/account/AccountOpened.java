package dev.tollgate.api.account;

import java.time.Instant;
import org.axonframework.serialization.Revision;

@Revision("1")
public record AccountOpened(AccountId accountId, Instant at) implements LedgerEvent {
}
