package dev.tollgate.domain.metering;

import dev.tollgate.api.money.Money;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Model prices, from Cloudflare's published table (USD per million tokens, page dated 2026-08-28). A price is
 * written here as decimal text and parsed exactly into nano-USD. The operator's price book with effective times
 * (events) replaces this fixed list in the prices issue; until then this is the only source of prices.
 */
public final class PriceBook {
    private final Map<String, ModelPrice> prices = new LinkedHashMap<>();

    private PriceBook() {
    }

    public static PriceBook cloudflareList() {
        PriceBook book = new PriceBook();
        String generation = "Text Generation";
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
        String embeddings = "Text Embeddings";
        book.add("@cf/baai/bge-small-en-v1.5", embeddings, "0.020", "0");
        book.add("@cf/baai/bge-base-en-v1.5", embeddings, "0.067", "0");
        book.add("@cf/baai/bge-large-en-v1.5", embeddings, "0.204", "0");
        book.add("@cf/baai/bge-m3", embeddings, "0.012", "0");
        return book;
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
