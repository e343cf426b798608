package dev.tollgate.api.metering;

import dev.tollgate.api.money.Money;

/**
 * The settled cost of one metered call and everything needed to recompute it: model, token counts and who
 * counted them, the prices used (nano-USD per million tokens), and the request it came from.
 */
public record Charge(String model, long inputTokens, long outputTokens, TokenSource tokenSource,
                     Money inputPricePerMillion, Money outputPricePerMillion, Money cost, String requestId) {
    public Charge {
        if (model == null || model.isBlank() || requestId == null || requestId.isBlank()) {
            throw new IllegalArgumentException("a charge names its model and request");
        }
        if (inputTokens < 0 || outputTokens < 0) {
            throw new IllegalArgumentException("token counts cannot be negative");
        }
        if (cost.isNegative()) {
            throw new IllegalArgumentException("a charge cannot be negative");
        }
    }
}
