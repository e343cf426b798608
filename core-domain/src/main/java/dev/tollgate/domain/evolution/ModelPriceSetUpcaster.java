package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.pricing.ModelPriceSet;

/**
 * Reads {@link ModelPriceSet} revision 1 as revision 2: a price set before unit prices could change named token
 * prices only, so it has no units (the model keeps its catalogue's). The stored payload is never rewritten.
 */
public class ModelPriceSetUpcaster extends OneRevisionUp {
    public ModelPriceSetUpcaster() {
        super(ModelPriceSet.class, "1", "2");
    }

    @Override
    void upgrade(ObjectNode payload) {
        if (!payload.has("units")) {
            payload.putArray("units");
        }
    }
}
