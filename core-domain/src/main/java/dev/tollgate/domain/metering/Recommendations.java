package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cheaper models for what an account already ran (ADR 29): for each text-generation model it used, the model of the
 * same task that would have cost least for the very same tokens at today's prices, when that is less than what the
 * account paid. Only text generation: embeddings from another model do not match vectors already stored, and
 * media models are priced on other units. A model that read images is only matched with one that reads them too.
 */
public final class Recommendations {

    /** What an account ran on one model: tokens and what it paid. */
    public record ModelUsage(String model, long inputTokens, long outputTokens, Money cost) {
    }

    public record Recommendation(String model, Money cost, String alternative, Money alternativeCost, Money saving) {
    }

    private Recommendations() {
    }

    /** Largest saving first; a model with no cheaper match is left out. */
    public static List<Recommendation> of(List<ModelUsage> usage, PriceBook prices) {
        List<ModelPrice> all = prices.all();
        List<Recommendation> found = new ArrayList<>();
        for (ModelUsage used : usage) {
            ModelPrice price = prices.priceOf(used.model()).orElse(null);
            if (price == null || !PriceBook.TEXT_GENERATION.equals(price.task()) || !price.units().isEmpty()) {
                continue;
            }
            ModelPrice best = null;
            Money bestCost = null;
            for (ModelPrice candidate : all) {
                if (candidate.model().equals(used.model()) || !candidate.task().equals(price.task())
                        || !candidate.units().isEmpty()
                        || (prices.acceptsImages(used.model()) && !prices.acceptsImages(candidate.model()))) {
                    continue;
                }
                Money cost;
                try {
                    cost = CostRule.cost(used.inputTokens(), used.outputTokens(), candidate);
                } catch (ArithmeticException beyondALong) {
                    continue; // more than the ledger can count: certainly not the cheaper choice
                }
                if (bestCost == null || cost.isLessThan(bestCost)
                        || (cost.equals(bestCost) && candidate.model().compareTo(best.model()) < 0)) {
                    best = candidate;
                    bestCost = cost;
                }
            }
            if (best != null && bestCost.isLessThan(used.cost())) {
                found.add(new Recommendation(used.model(), used.cost(), best.model(), bestCost,
                        used.cost().minus(bestCost)));
            }
        }
        found.sort(Comparator.comparing(Recommendation::saving).reversed()
                .thenComparing(Recommendation::model));
        return found;
    }
}
