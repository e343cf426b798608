package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.MarkupSet;
import dev.tollgate.api.pricing.ModelPriceSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Model prices. The list prices start from Cloudflare's published table (USD per million tokens, page dated
 * 2026-08-28), written as decimal text and parsed exactly into nano-USD; the operator's price book (ADR 28) changes
 * them from an effective time on, and its markup raises every price. A node {@link #record records} the price
 * book's events here in order; a lookup answers the price in effect at a moment, markup included.
 */
public final class PriceBook {
    public static final String TEXT_GENERATION = "Text Generation";
    public static final String TEXT_EMBEDDINGS = "Text Embeddings";
    public static final String TEXT_TO_IMAGE = "Text-to-Image";
    public static final String SPEECH_RECOGNITION = "Automatic Speech Recognition";

    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();
    private final Set<String> vision = new HashSet<>();
    private final Clock clock;
    /** The price book's changes so far; replaced whole on each change, so a lookup never takes a lock. */
    private volatile Changes changes = new Changes(Map.of(), List.of());
    /** Run before a lookup of the current prices: brings the changes up to date where other nodes may add some. */
    private volatile Runnable freshness = () -> { };

    private PriceBook(Clock clock) {
        this.clock = clock;
    }

    public static PriceBook cloudflareList() {
        return cloudflareList(Clock.systemUTC());
    }

    public static PriceBook cloudflareList(Clock clock) {
        PriceBook book = new PriceBook(clock);
        String generation = TEXT_GENERATION;
        book.add("@cf/meta/llama-3.2-1b-instruct", generation, "0.027", "0.201");
        book.add("@cf/meta/llama-3.2-3b-instruct", generation, "0.051", "0.335");
        book.add("@cf/meta/llama-3.1-8b-instruct", generation, "0.282", "0.827");
        book.add("@cf/meta/llama-3.1-8b-instruct-fp8-fast", generation, "0.045", "0.384");
        book.add("@cf/meta/llama-3.1-8b-instruct-awq", generation, "0.123", "0.266");
        book.add("@cf/meta/llama-3.3-70b-instruct-fp8-fast", generation, "0.293", "2.253");
        book.add("@cf/meta/llama-3.2-11b-vision-instruct", generation, "0.049", "0.676");
        book.add("@cf/meta/llama-4-scout-17b-16e-instruct", generation, "0.270", "0.850");
        book.add("@cf/mistral/mistral-7b-instruct-v0.1", generation, "0.110", "0.190");
        book.add("@cf/mistralai/mistral-small-3.1-24b-instruct", generation, "0.351", "0.555");
        book.add("@cf/deepseek-ai/deepseek-r1-distill-qwen-32b", generation, "0.497", "4.881");
        book.add("@cf/qwen/qwq-32b", generation, "0.660", "1.000");
        book.add("@cf/qwen/qwen2.5-coder-32b-instruct", generation, "0.660", "1.000");
        book.add("@cf/qwen/qwen3-30b-a3b-fp8", generation, "0.051", "0.335");
        book.add("@cf/google/gemma-3-12b-it", generation, "0.345", "0.556");
        book.add("@cf/openai/gpt-oss-120b", generation, "0.350", "0.750");
        String embeddings = TEXT_EMBEDDINGS;
        book.add("@cf/baai/bge-small-en-v1.5", embeddings, "0.020", "0");
        book.add("@cf/baai/bge-base-en-v1.5", embeddings, "0.067", "0");
        book.add("@cf/baai/bge-large-en-v1.5", embeddings, "0.204", "0");
        book.add("@cf/baai/bge-m3", embeddings, "0.012", "0");
        book.vision.add("@cf/meta/llama-3.2-11b-vision-instruct");
        // Per 512×512 tile of the output image plus per diffusion step (ADR 10). SDXL has no published price in
        // the reference: it is priced like flux so no model is ever served for free by accident.
        List<UnitPrice> image = List.of(new UnitPrice(UnitPrice.IMAGE_TILE, Money.parseUsd("0.0000528"), 1),
                new UnitPrice(UnitPrice.STEP, Money.parseUsd("0.0001056"), 1));
        book.add("@cf/black-forest-labs/flux-1-schnell", TEXT_TO_IMAGE, image);
        book.add("@cf/stabilityai/stable-diffusion-xl-base-1.0", TEXT_TO_IMAGE, image);
        // $0.0005 per audio minute, held and charged per millisecond of audio (ADR 10).
        List<UnitPrice> audio = List.of(new UnitPrice(UnitPrice.AUDIO_MILLISECOND, Money.parseUsd("0.0005"), 60_000));
        book.add("@cf/openai/whisper", SPEECH_RECOGNITION, audio);
        book.add("@cf/openai/whisper-large-v3-turbo", SPEECH_RECOGNITION, audio);
        return book;
    }

    private void add(String model, String task, List<UnitPrice> units) {
        prices.put(model, new ModelPrice(model, task, Money.ZERO, Money.ZERO, units));
    }

    /** Whether the model reads an image along with its messages (vision chat). */
    public boolean acceptsImages(String model) {
        return vision.contains(model);
    }

    private void add(String model, String task, String inputUsdPerMillion, String outputUsdPerMillion) {
        prices.put(model, new ModelPrice(model, task, Money.parseUsd(inputUsdPerMillion),
                Money.parseUsd(outputUsdPerMillion)));
    }

    /** Whether the model is in the catalogue at all (it may be priced by the price book). */
    public boolean lists(String model) {
        return prices.containsKey(model);
    }

    /** The price a call placed now pays, markup included. */
    public Optional<ModelPrice> priceOf(String model) {
        freshness.run();
        return Optional.ofNullable(priceIn(changes, model, clock.instant()));
    }

    /** The price in effect at {@code at}, markup included. */
    public Optional<ModelPrice> priceOf(String model, Instant at) {
        freshness.run();
        return Optional.ofNullable(priceIn(changes, model, at));
    }

    /** The list price (before the markup) in effect at {@code at}. */
    public Optional<ModelPrice> listPriceOf(String model, Instant at) {
        freshness.run();
        return Optional.ofNullable(listPriceIn(changes, model, at));
    }

    /** Every model's price for a call placed now, markup included, all from one state of the price book. */
    public List<ModelPrice> all() {
        freshness.run();
        Instant now = clock.instant();
        Changes current = changes;
        return prices.keySet().stream().map(model -> priceIn(current, model, now)).toList();
    }

    private ModelPrice priceIn(Changes current, String model, Instant at) {
        ModelPrice list = listPriceIn(current, model, at);
        if (list == null) {
            return null;
        }
        int markup = current.markupAt(at);
        return markup == 0 ? list : markedUp(list, markup);
    }

    /** A list price (before the markup) and when it took or takes effect ({@code null}: the catalogue's own). */
    public record Listed(ModelPrice price, Instant effectiveAt) {
    }

    /** Each model's list price in effect now, then the changes scheduled for later, by model and time. */
    public List<Listed> listed() {
        freshness.run();
        Instant now = clock.instant();
        Changes current = changes;
        List<Listed> rows = new ArrayList<>();
        for (String model : prices.keySet()) {
            List<ModelPriceSet> timeline = current.prices().getOrDefault(model, List.of());
            ModelPriceSet inEffect = null;
            for (ModelPriceSet change : timeline) {
                if (!change.effectiveAt().isAfter(now)) {
                    inEffect = change;
                }
            }
            rows.add(new Listed(listPriceIn(current, model, now), inEffect == null ? null : inEffect.effectiveAt()));
            for (ModelPriceSet change : timeline) {
                if (change.effectiveAt().isAfter(now)) {
                    rows.add(new Listed(withPrices(prices.get(model), change), change.effectiveAt()));
                }
            }
        }
        return rows;
    }

    /** The markup in effect now, in basis points. */
    public int markupBasisPoints() {
        return markup().basisPoints();
    }

    /** A markup and when it took effect ({@code null}: never set, so the catalogue's prices stand, 0 basis points). */
    public record Markup(int basisPoints, Instant effectiveAt) {
    }

    /** The markup in effect now; one set for later is not in effect yet. */
    public Markup markup() {
        freshness.run();
        MarkupSet inEffect = changes.markupSetAt(clock.instant());
        return inEffect == null ? new Markup(0, null) : new Markup(inEffect.basisPoints(), inEffect.effectiveAt());
    }

    /**
     * Takes in the price book's next change. Changes arrive in the order the price book applied them; one with the
     * same effective time as an earlier one replaces it.
     */
    public synchronized void record(ModelPriceSet change) {
        Map<String, List<ModelPriceSet>> byModel = new HashMap<>(changes.prices());
        List<ModelPriceSet> timeline = new ArrayList<>(byModel.getOrDefault(change.model(), List.of()));
        timeline.removeIf(earlier -> earlier.effectiveAt().equals(change.effectiveAt()));
        timeline.add(change);
        timeline.sort(Comparator.comparing(ModelPriceSet::effectiveAt));
        byModel.put(change.model(), List.copyOf(timeline));
        changes = new Changes(Map.copyOf(byModel), changes.markups());
    }

    public synchronized void record(MarkupSet change) {
        List<MarkupSet> markups = new ArrayList<>(changes.markups());
        markups.removeIf(earlier -> earlier.effectiveAt().equals(change.effectiveAt()));
        markups.add(change);
        markups.sort(Comparator.comparing(MarkupSet::effectiveAt));
        changes = new Changes(changes.prices(), List.copyOf(markups));
    }

    /** Where several nodes share the price book, the node's way to catch up before it answers a price. */
    public void keepFreshWith(Runnable catchUp) {
        this.freshness = catchUp;
    }

    private ModelPrice listPriceIn(Changes current, String model, Instant at) {
        ModelPrice catalogue = prices.get(model);
        if (catalogue == null) {
            return null;
        }
        ModelPriceSet inEffect = null;
        for (ModelPriceSet change : current.prices().getOrDefault(model, List.of())) {
            if (change.effectiveAt().isAfter(at)) {
                break;
            }
            inEffect = change;
        }
        return inEffect == null ? catalogue : withPrices(catalogue, inEffect);
    }

    /**
     * The catalogue's model at a change's prices: its token prices, and each of the catalogue's units at the change's
     * price for it when the change names one (by name, so a unit the catalogue adds later keeps its own price).
     */
    private static ModelPrice withPrices(ModelPrice catalogue, ModelPriceSet change) {
        List<UnitPrice> units = catalogue.units().stream().map(unit -> change.units().stream()
                .filter(set -> set.unit().equals(unit.unit())).findFirst()
                .map(set -> new UnitPrice(set.unit(), set.price(), set.per())).orElse(unit)).toList();
        return new ModelPrice(catalogue.model(), catalogue.task(), change.inputPerMillion(),
                change.outputPerMillion(), units);
    }

    private static ModelPrice markedUp(ModelPrice list, int basisPoints) {
        return new ModelPrice(list.model(), list.task(), markedUp(list.inputPerMillion(), basisPoints),
                markedUp(list.outputPerMillion(), basisPoints), list.units().stream()
                .map(u -> new UnitPrice(u.unit(), markedUp(u.price(), basisPoints), u.per())).toList());
    }

    /** ceil(price × (10,000 + basis points) / 10,000) in nano-USD, without overflow: price = 10,000q + r. */
    static Money markedUp(Money price, int basisPoints) {
        long factor = 10_000L + basisPoints;
        long q = price.nanos() / 10_000;
        long r = price.nanos() % 10_000;
        return new Money(Math.addExact(Math.multiplyExact(q, factor), (r * factor + 9_999) / 10_000));
    }

    private record Changes(Map<String, List<ModelPriceSet>> prices, List<MarkupSet> markups) {
        int markupAt(Instant at) {
            MarkupSet inEffect = markupSetAt(at);
            return inEffect == null ? 0 : inEffect.basisPoints();
        }

        MarkupSet markupSetAt(Instant at) {
            MarkupSet inEffect = null;
            for (MarkupSet change : markups) {
                if (change.effectiveAt().isAfter(at)) {
                    break;
                }
                inEffect = change;
            }
            return inEffect;
        }
    }
}
