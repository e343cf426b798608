package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.pricing.ModelPriceSet;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads {@link ModelPriceSet} revision 1 as revision 2: a price set before unit prices could change named token
 * prices only, so it has no units (the model keeps its catalogue's). The stored payload is never rewritten.
 */
public class ModelPriceSetUpcaster extends SingleEventUpcaster {
    private static final String TYPE = ModelPriceSet.class.getName();
    private static final SimpleSerializedType FROM = new SimpleSerializedType(TYPE, "1");
    private static final SimpleSerializedType TO = new SimpleSerializedType(TYPE, "2");

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return FROM.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(TO, JsonNode.class, payload -> {
            if (payload instanceof ObjectNode event && !event.has("units")) {
                event.putArray("units");
            }
            return payload;
        });
    }
}
