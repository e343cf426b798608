package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.ReservationSettled;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads {@link ReservationSettled} revision 1 as revision 2: every call settled before images and speech were
 * metered was priced on tokens alone, so its charge has no units. The stored payload is never rewritten.
 */
public class ReservationSettledUpcaster extends SingleEventUpcaster {
    private static final String TYPE = ReservationSettled.class.getName();
    private static final SimpleSerializedType FROM = new SimpleSerializedType(TYPE, "1");
    private static final SimpleSerializedType TO = new SimpleSerializedType(TYPE, "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return FROM.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(TO, JsonNode.class, payload -> {
            JsonNode charge = payload.path("charge");
            if (charge instanceof ObjectNode chargeObject && !chargeObject.has("units")) {
                chargeObject.putArray("units");
            }
            return payload;
        });
    }
}
