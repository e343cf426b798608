package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;

/**
 * Reads {@link AccountOpened} revision 1 (no kind) as revision 2: every account opened before teams existed is a
 * user's. The stored payload is not touched; it is rewritten only in memory, each time it is read.
 * <p>
 * This is the pattern to copy for the next change of an event: bump {@code @Revision}, add an upcaster from the
 * previous revision, and test it with a payload exactly as the previous revision wrote it.
 */
public class AccountOpenedUpcaster extends OneRevisionUp {
    public AccountOpenedUpcaster() {
        super(AccountOpened.class, "1", "2");
    }

    @Override
    void upgrade(ObjectNode payload) {
        payload.put("kind", AccountKind.USER.name());
    }
}
