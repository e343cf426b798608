package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.CreditsReserved;

/**
 * Reads {@link CreditsReserved} revision 2 as revision 3: a hold placed before holds named their model has none; the
 * usage log learns it from the settlement, as it always did, and shows none for a call that was released.
 */
public class CreditsReservedModelUpcaster extends OneRevisionUp {
    public CreditsReservedModelUpcaster() {
        super(CreditsReserved.class, "2", "3");
    }

    @Override
    void upgrade(ObjectNode payload) {
        noModel(payload);
    }

    static void noModel(ObjectNode payload) {
        if (!payload.has("model")) {
            payload.putNull("model");
        }
    }
}
