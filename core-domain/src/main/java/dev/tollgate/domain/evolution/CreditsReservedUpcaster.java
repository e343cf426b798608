package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.CreditsReserved;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads {@link CreditsReserved} revision 1 as revision 2: a hold placed before spenders were named on holds has no
 * {@code apiKeyId} and no {@code memberId}, so no key's or member's spend counts it. The stored payload is never rewritten.
 */
public class CreditsReservedUpcaster extends SingleEventUpcaster {
    private static final String TYPE = CreditsReserved.class.getName();
    private static final SimpleSerializedType FROM = new SimpleSerializedType(TYPE, "1");
    private static final SimpleSerializedType TO = new SimpleSerializedType(TYPE, "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return FROM.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(TO, JsonNode.class, payload -> {
            if (payload instanceof ObjectNode event) {
                if (!event.has("apiKeyId")) {
                    event.putNull("apiKeyId");
                }
                if (!event.has("memberId")) {
                    event.putNull("memberId");
                }
            }
            return payload;
        });
    }
}
