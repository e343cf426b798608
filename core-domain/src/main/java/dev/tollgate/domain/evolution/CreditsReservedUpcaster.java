package dev.tollgate.domain.evolution;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.CreditsReserved;

/**
 * Reads {@link CreditsReserved} revision 1 as today's revision 3: a hold placed before spenders were named on holds
 * has no {@code apiKeyId} and no {@code memberId}, so no key's or member's spend counts it, and no {@code model}. It
 * goes to 3 in one step, so that it does not depend on running before {@link CreditsReservedModelUpcaster}. The
 * stored payload is never rewritten.
 */
public class CreditsReservedUpcaster extends OneRevisionUp {
    public CreditsReservedUpcaster() {
        super(CreditsReserved.class, "1", "3");
    }

    @Override
    void upgrade(ObjectNode payload) {
        if (!payload.has("apiKeyId")) {
            payload.putNull("apiKeyId");
        }
        if (!payload.has("memberId")) {
            payload.putNull("memberId");
        }
        CreditsReservedModelUpcaster.noModel(payload);
    }
}
