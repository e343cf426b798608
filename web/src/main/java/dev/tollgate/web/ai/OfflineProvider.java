package dev.tollgate.web.ai;

import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderUsage;
import java.util.List;
import java.util.function.Consumer;

/**
 * The provider used when no Cloudflare credentials are set: deterministic, instant, and labelled "offline" in
 * every response so nobody mistakes its text for a model's. It answers with a fixed sentence that quotes the last
 * user message, and reports usage counted like a provider would, so metering works end to end without an account.
 */
public class OfflineProvider implements InferenceProvider {
    private final PriceBook prices;
    private final TokenEstimator tokens;

    public OfflineProvider(PriceBook prices, TokenEstimator tokens) {
        this.prices = prices;
        this.tokens = tokens;
    }

    @Override
    public String name() {
        return "offline";
    }

    @Override
    public List<ModelInfo> models() {
        return prices.all().stream().map(p -> new ModelInfo(p.model(), p.model(), p.task())).toList();
    }

    @Override
    public ChatCompletion chat(ChatRequest request) {
        ModelPrice price = prices.priceOf(request.model())
                .orElseThrow(() -> ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, "No such model."));
        String text = answer(request, price);
        return new ChatCompletion(text, new ProviderUsage(tokens.countPrompt(request.messages()), tokens.count(text)),
                "stop");
    }

    @Override
    public ChatCompletion chatStream(ChatRequest request, Consumer<String> onDelta) {
        ChatCompletion whole = chat(request);
        for (String word : whole.text().split("(?<= )")) {
            onDelta.accept(word);
        }
        return whole;
    }

    /** Deterministic text of at most max_tokens tokens. */
    private String answer(ChatRequest request, ModelPrice price) {
        String last = request.messages().stream().filter(m -> m.role().equals("user")).map(ChatMessage::content)
                .reduce((a, b) -> b).orElse("");
        String quoted = last.length() > 80 ? last.substring(0, 80) : last;
        String full = "[offline] This is Tollgate's offline provider standing in for " + price.model()
                + "; no model was called. You said: " + quoted;
        StringBuilder out = new StringBuilder();
        for (String word : full.split("(?<= )")) {
            if (tokens.count(out + word) > request.maxTokens()) {
                break;
            }
            out.append(word);
        }
        return out.toString().stripTrailing();
    }
}
