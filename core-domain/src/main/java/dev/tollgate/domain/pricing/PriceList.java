package dev.tollgate.domain.pricing;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import dev.tollgate.api.pricing.PriceBookId;
import dev.tollgate.api.pricing.PricedUnit;
import dev.tollgate.api.pricing.SetMarkup;
import dev.tollgate.api.pricing.SetModelPrice;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * The operator's price book (ADR 28): decides price and markup changes. It keeps no prices of its own; the nodes
 * read its events into their {@code PriceBook}, and every charge records the prices it used.
 */
@Aggregate
public class PriceList {
    /** $1,000,000 per million tokens: far above any real price, and far from overflowing the cost arithmetic. */
    static final Money HIGHEST_PRICE = Money.ofUsd(1_000_000);
    /** A markup of up to 1,000 %. */
    static final int HIGHEST_MARKUP_BASIS_POINTS = 100_000;

    @AggregateIdentifier
    private String id;

    protected PriceList() {
    }

    /** Preconditions: the one price book, a model id, prices from 0 to {@link #HIGHEST_PRICE}. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public ModelPriceSet handle(SetModelPrice command) {
        requireThePriceBook(command.priceBookId());
        if (command.model() == null || command.model().isBlank() || command.model().length() > 200) {
            throw new InvalidCommandException("a price names its model");
        }
        requirePrice(command.inputPerMillion(), "input_usd_per_m");
        requirePrice(command.outputPerMillion(), "output_usd_per_m");
        List<PricedUnit> units = command.units() == null ? List.of() : command.units();
        requireUnits(units);
        ModelPriceSet set = new ModelPriceSet(command.model(), command.inputPerMillion(), command.outputPerMillion(),
                effective(command.effectiveAt(), command.at()), command.actor(), command.at(), units);
        apply(set);
        return set;
    }

    /** Preconditions: the one price book, a markup from 0 to {@link #HIGHEST_MARKUP_BASIS_POINTS}. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    public MarkupSet handle(SetMarkup command) {
        requireThePriceBook(command.priceBookId());
        if (command.basisPoints() < 0 || command.basisPoints() > HIGHEST_MARKUP_BASIS_POINTS) {
            throw new InvalidCommandException("basis_points must be a whole number from 0 to "
                    + HIGHEST_MARKUP_BASIS_POINTS);
        }
        MarkupSet set = new MarkupSet(command.basisPoints(), effective(command.effectiveAt(), command.at()),
                command.actor(), command.at());
        apply(set);
        return set;
    }

    @EventSourcingHandler
    void on(ModelPriceSet event) {
        id = PriceBookId.VALUE;
    }

    @EventSourcingHandler
    void on(MarkupSet event) {
        id = PriceBookId.VALUE;
    }

    private static void requireThePriceBook(String priceBookId) {
        if (!PriceBookId.VALUE.equals(priceBookId)) {
            throw new InvalidCommandException("there is one price book, " + PriceBookId.VALUE);
        }
    }

    private static void requirePrice(Money price, String field) {
        if (price == null || price.isNegative() || price.isGreaterThan(HIGHEST_PRICE)) {
            throw new InvalidCommandException(field + " must be from 0 to " + HIGHEST_PRICE.toUsdString() + " USD");
        }
    }

    /** At most ten units, each named once, each priced from 0 to {@link #HIGHEST_PRICE} per one or more units. */
    private static void requireUnits(List<PricedUnit> units) {
        if (units.size() > 10) {
            throw new InvalidCommandException("a model has at most 10 unit prices");
        }
        Set<String> names = new HashSet<>();
        for (PricedUnit unit : units) {
            if (unit == null || unit.unit() == null || unit.unit().isBlank() || unit.unit().length() > 40
                    || !names.add(unit.unit())) {
                throw new InvalidCommandException("each unit price names a different unit");
            }
            requirePrice(unit.price(), "unit_usd");
            if (unit.per() < 1 || unit.per() > 1_000_000_000L) {
                throw new InvalidCommandException("a unit price is per 1 to 1,000,000,000 units");
            }
        }
    }

    /** A change takes effect when asked, but never before it was accepted: what already ran keeps its price. */
    private static Instant effective(Instant effectiveAt, Instant at) {
        return effectiveAt == null || effectiveAt.isBefore(at) ? at : effectiveAt;
    }
}
