package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads {@link AccountOpened} revision 1 (no kind) as revision 2: every account opened before teams existed is a
 * user's. The stored payload is not touched; it is rewritten only in memory, each time it is read.
 * <p>
 * This is the pattern to copy for the next change of an event: bump {@code @Revision}, add an upcaster from the
 * previous revision, and test it with a payload exactly as the previous revision wrote it.
 */
public class AccountOpenedUpcaster extends SingleEventUpcaster {
    private static final String TYPE = AccountOpened.class.getName();
    private static final SimpleSerializedType FROM = new SimpleSerializedType(TYPE, "1");
    private static final SimpleSerializedType TO = new SimpleSerializedType(TYPE, "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return FROM.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(TO, JsonNode.class, payload -> {
            ((ObjectNode) payload).put("kind", AccountKind.USER.name());
            return payload;
        });
    }
}
