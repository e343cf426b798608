package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.tollgate.api.money.InvalidAmountException;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import dev.tollgate.api.pricing.PriceBookId;
import dev.tollgate.api.pricing.PricedUnit;
import dev.tollgate.api.pricing.SetMarkup;
import dev.tollgate.api.pricing.SetModelPrice;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.UnitPrice;
import dev.tollgate.web.ai.PriceBookFeed;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's price book (ADR 28): list prices per model and the markup on all of them, each changed from an
 * effective time on. A change answers once this node prices with it; other nodes see it before their next hold.
 */
@RestController
public class PriceBookController {
    private static final String PREFIX = "/api/admin/prices/";

    private final CommandGateway commands;
    private final PriceBook prices;
    private final PriceBookFeed feed;
    private final Clock clock;

    public PriceBookController(CommandGateway commands, PriceBook prices, PriceBookFeed feed, Clock clock) {
        this.commands = commands;
        this.prices = prices;
        this.feed = feed;
        this.clock = clock;
    }

    public record UnitView(String unit, String unitUsd, long per) {
    }

    /**
     * A list price (before the markup). Token prices per million tokens; a model priced on other units names its
     * first unit ({@code unit}, {@code unit_usd} per {@code unit_per} of them) and lists them all in {@code units}.
     */
    public record PriceRow(String model, String task, String inputUsdPerM, String outputUsdPerM, String unit,
                           String unitUsd, Long unitPer, List<UnitView> units, Instant effectiveAt) {
        static PriceRow of(ModelPrice price, Instant effectiveAt) {
            UnitPrice first = price.units().isEmpty() ? null : price.units().get(0);
            return new PriceRow(price.model(), price.task(), price.inputPerMillion().toUsdString(),
                    price.outputPerMillion().toUsdString(), first == null ? "tokens" : first.unit(),
                    first == null ? null : first.price().toUsdString(), first == null ? null : first.per(),
                    price.units().stream().map(u -> new UnitView(u.unit(), u.price().toUsdString(), u.per()))
                            .toList(), effectiveAt);
        }
    }

    public record MarkupView(int basisPoints, Instant effectiveAt) {
    }

    @GetMapping("/api/admin/prices")
    public List<PriceRow> list() {
        return prices.listed().stream().map(row -> PriceRow.of(row.price(), row.effectiveAt())).toList();
    }

    /** The markup in effect now and since when ({@code null} while no markup was ever set). */
    @GetMapping("/api/admin/prices/markup")
    public MarkupView markup() {
        PriceBook.Markup markup = prices.markup();
        return new MarkupView(markup.basisPoints(), markup.effectiveAt());
    }

    @PutMapping("/api/admin/prices/markup")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Markup.class)))
    public MarkupView setMarkup(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body) {
        requireObject(body);
        JsonNode points = body.get("basis_points");
        if (points == null || !points.isIntegralNumber() || !points.canConvertToInt()) {
            throw ApiException.badRequest("basis_points is required, as a whole number (150 = 1.5 %)");
        }
        Instant effectiveAt = effectiveAt(body);
        MarkupSet set = commands.sendAndWait(new SetMarkup(PriceBookId.VALUE, points.intValue(), effectiveAt,
                "admin:" + caller.userId(), clock.instant()));
        feed.catchUp();
        return new MarkupView(set.basisPoints(), set.effectiveAt());
    }

    /** {@code /api/admin/prices/{model}}: the model id whole, raw or with its {@code @} and {@code /} URL-encoded. */
    @PutMapping("/api/admin/prices/**")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Price.class)))
    public PriceRow setPrice(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                             HttpServletRequest http) {
        String uri = http.getRequestURI();
        String model = URLDecoder.decode(uri.substring(uri.indexOf(PREFIX) + PREFIX.length()), StandardCharsets.UTF_8);
        if (!prices.lists(model)) {
            throw ApiException.notFound("model_not_found", "No such model: " + model);
        }
        requireObject(body);
        ModelPrice current = prices.listed().stream().map(PriceBook.Listed::price)
                .filter(p -> p.model().equals(model)).findFirst().orElseThrow();
        boolean unitPriced = !current.units().isEmpty();
        if (unitPriced && (body.has("input_usd_per_m") || body.has("output_usd_per_m"))) {
            throw ApiException.badRequest(model + " is priced per " + current.units().get(0).unit()
                    + ", not per token: set unit_usd (its first unit) or units [{\"unit\",\"unit_usd\"}]");
        }
        if (!unitPriced && (body.has("unit_usd") || body.has("units"))) {
            throw ApiException.badRequest(model + " is priced per token: set input_usd_per_m or output_usd_per_m");
        }
        if (!unitPriced && !body.has("input_usd_per_m") && !body.has("output_usd_per_m")) {
            throw ApiException.badRequest("input_usd_per_m or output_usd_per_m is required");
        }
        if (unitPriced && !body.has("unit_usd") && !body.has("units")) {
            throw ApiException.badRequest("unit_usd or units is required");
        }
        Instant effectiveAt = effectiveAt(body);
        // A price left out keeps what the list says at the time this change takes effect (a change already
        // scheduled for then included), not what it says now.
        Instant now = clock.instant();
        ModelPrice then = prices.listPriceOf(model, effectiveAt == null || effectiveAt.isBefore(now) ? now : effectiveAt)
                .orElse(current);
        Money input = price(body, "input_usd_per_m", then.inputPerMillion());
        Money output = price(body, "output_usd_per_m", then.outputPerMillion());
        List<PricedUnit> units = unitPriced ? units(body, then) : List.of();
        ModelPriceSet set = commands.sendAndWait(new SetModelPrice(PriceBookId.VALUE, model, input, output,
                effectiveAt, "admin:" + caller.userId(), now, units));
        feed.catchUp();
        return PriceRow.of(new ModelPrice(model, current.task(), set.inputPerMillion(), set.outputPerMillion(),
                set.units().stream().map(u -> new UnitPrice(u.unit(), u.price(), u.per())).toList()),
                set.effectiveAt());
    }

    /**
     * Every unit of the model at its price when the change takes effect, with the ones the body names changed:
     * {@code unit_usd} prices the first (the row's {@code unit}), {@code units} any of them by name. Each stays per
     * as many units as the catalogue prices it ({@code unit_per}).
     */
    private static List<PricedUnit> units(JsonNode body, ModelPrice then) {
        Map<String, Money> changed = new LinkedHashMap<>();
        if (body.has("unit_usd")) {
            changed.put(then.units().get(0).unit(), price(body, "unit_usd", null));
        }
        JsonNode named = body.get("units");
        if (named != null) {
            if (!named.isArray() || named.isEmpty()) {
                throw ApiException.badRequest("units must be a list such as [{\"unit\":\"step\",\"unit_usd\":\"0.0001\"}]");
            }
            for (JsonNode unit : named) {
                String name = unit.path("unit").isTextual() ? unit.get("unit").textValue() : null;
                if (name == null || then.unit(name).isEmpty()) {
                    throw ApiException.badRequest("each of units names one of this model's units: " + then.units()
                            .stream().map(UnitPrice::unit).toList());
                }
                if (changed.put(name, price(unit, "unit_usd", null)) != null) {
                    throw ApiException.badRequest("units names " + name + " twice");
                }
            }
        }
        return then.units().stream().map(u -> new PricedUnit(u.unit(), changed.getOrDefault(u.unit(), u.price()),
                u.per())).toList();
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("The body must be a JSON object.");
        }
    }

    private static Money price(JsonNode body, String field, Money current) {
        JsonNode node = body.get(field);
        if (node == null && current != null) {
            return current;
        }
        if (node == null) {
            throw new InvalidAmountException(field + " is required, as a decimal string in USD");
        }
        if (!node.isTextual()) {
            throw new InvalidAmountException(field + " must be a decimal string in USD such as \"0.282\"");
        }
        return Money.parseUsd(node.textValue());
    }

    private static Instant effectiveAt(JsonNode body) {
        return Amounts.optionalTime(body, "effective_at");
    }
}
