package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Model prices, from Cloudflare's published table (USD per million tokens, page dated 2026-08-28). A price is
 * written here as decimal text and parsed exactly into nano-USD. The operator's price book with effective times
 * (events) replaces this fixed list in the prices issue; until then this is the only source of prices.
 */
public final class PriceBook {
    public static final String TEXT_GENERATION = "Text Generation";
    public static final String TEXT_EMBEDDINGS = "Text Embeddings";
    public static final String TEXT_TO_IMAGE = "Text-to-Image";
    public static final String SPEECH_RECOGNITION = "Automatic Speech Recognition";

    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();
    private final Set<String> vision = new HashSet<>();

    private PriceBook() {
    }

    public static PriceBook cloudflareList() {
        PriceBook book = new PriceBook();
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

    public Optional<ModelPrice> priceOf(String model) {
        return Optional.ofNullable(prices.get(model));
    }

    public List<ModelPrice> all() {
        return List.copyOf(prices.values());
    }
}
