package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.ReservationSettled;

/**
 * Reads {@link ReservationSettled} revision 2 as revision 3. Revision 2 could not say that a call broke off after
 * output reached the caller; such calls were settled for what they produced and read as complete then, so they are
 * read as complete now: a replay gives the same numbers and the same statuses as before.
 */
public class ReservationSettledPartialUpcaster extends OneRevisionUp {
    public ReservationSettledPartialUpcaster() {
        super(ReservationSettled.class, "2", "3");
    }

    @Override
    void upgrade(ObjectNode payload) {
        notPartial(payload);
    }

    static void notPartial(ObjectNode payload) {
        if (!payload.has("partial")) {
            payload.put("partial", false);
        }
    }
}
