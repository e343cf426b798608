package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.ReservationSettled;

/**
 * Reads {@link ReservationSettled} revision 1 as revision 2: every call settled before images and speech were
 * metered was priced on tokens alone, so its charge has no units. The stored payload is never rewritten.
 */
public class ReservationSettledUpcaster extends OneRevisionUp {
    public ReservationSettledUpcaster() {
        super(ReservationSettled.class, "1", "2");
    }

    @Override
    void upgrade(ObjectNode payload) {
        JsonNode charge = payload.path("charge");
        if (charge instanceof ObjectNode chargeObject && !chargeObject.has("units")) {
            chargeObject.putArray("units");
        }
    }
}
