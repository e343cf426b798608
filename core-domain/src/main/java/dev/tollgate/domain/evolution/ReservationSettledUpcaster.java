package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.ReservationSettled;

/**
 * Reads {@link ReservationSettled} revision 1 as today's revision 3: every call settled before images and speech
 * were metered was priced on tokens alone, so its charge has no units, and none was marked partial. It goes to 3 in
 * one step, so that it does not depend on running before {@link ReservationSettledPartialUpcaster}. The stored
 * payload is never rewritten.
 */
public class ReservationSettledUpcaster extends OneRevisionUp {
    public ReservationSettledUpcaster() {
        super(ReservationSettled.class, "1", "3");
    }

    @Override
    void upgrade(ObjectNode payload) {
        JsonNode charge = payload.path("charge");
        if (charge instanceof ObjectNode chargeObject && !chargeObject.has("units")) {
            chargeObject.putArray("units");
        }
        ReservationSettledPartialUpcaster.notPartial(payload);
    }
}
