package dev.tollgate.api.metering;

import dev.tollgate.api.money.Money;
import java.util.List;

/**
 * The settled cost of one metered call and everything needed to recompute it: model, token counts and who
 * counted them, the prices used (nano-USD per million tokens), and the request it came from. {@code units} holds
 * what a call was priced on besides tokens (image tiles and steps, audio time); it is empty for token-priced calls
 * and was added with {@code ReservationSettled} revision 2.
 */
public record Charge(String model, long inputTokens, long outputTokens, TokenSource tokenSource,
                     Money inputPricePerMillion, Money outputPricePerMillion, Money cost, String requestId,
                     List<ChargedUnits> units) {

    /** A charge priced on tokens alone. */
    public Charge(String model, long inputTokens, long outputTokens, TokenSource tokenSource,
                  Money inputPricePerMillion, Money outputPricePerMillion, Money cost, String requestId) {
        this(model, inputTokens, outputTokens, tokenSource, inputPricePerMillion, outputPricePerMillion, cost,
                requestId, List.of());
    }

    public Charge {
        units = units == null ? List.of() : List.copyOf(units);
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
