package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.axonframework.serialization.upcasting.event.SingleEventUpcaster;

/**
 * Reads one event type's payload of one revision as the next: the stored bytes are never rewritten, only the JSON
 * read from them, each time it is read. A subclass says what the new revision added.
 */
abstract class OneRevisionUp extends SingleEventUpcaster {
    private final SimpleSerializedType from;
    private final SimpleSerializedType to;

    OneRevisionUp(Class<?> eventType, String fromRevision, String toRevision) {
        this.from = new SimpleSerializedType(eventType.getName(), fromRevision);
        this.to = new SimpleSerializedType(eventType.getName(), toRevision);
    }

    /** Adds to the old payload what the new revision has and the old did not. */
    abstract void upgrade(ObjectNode payload);

    @Override
    protected boolean canUpcast(IntermediateEventRepresentation representation) {
        return from.equals(representation.getType());
    }

    @Override
    protected IntermediateEventRepresentation doUpcast(IntermediateEventRepresentation representation) {
        return representation.upcastPayload(to, JsonNode.class, payload -> {
            if (payload instanceof ObjectNode event) {
                upgrade(event);
            }
            return payload;
        });
    }
}
