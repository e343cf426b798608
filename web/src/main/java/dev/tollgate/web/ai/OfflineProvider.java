package dev.tollgate.web.ai;

import dev.tollgate.domain.metering.EmbeddingVector;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderUsage;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.VisionChatRequest;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import java.util.function.Consumer;

/**
 * The provider used when no Cloudflare credentials are set: deterministic, instant, and labelled "offline" in
 * every response so nobody mistakes its text for a model's. It answers with a fixed sentence that quotes the last
 * user message, and reports usage counted like a provider would, so metering works end to end without an account.
 * It calls no functions: a chat's tools are ignored (they reach no model, so neither are they counted as its input),
 * and a chat that offers them is answered in text like any other (ADR 44).
 */
public class OfflineProvider implements InferenceProvider {
    private static final Map<String, Integer> EMBEDDING_SIZES = Map.of("@cf/baai/bge-small-en-v1.5", 384,
            "@cf/baai/bge-base-en-v1.5", 768, "@cf/baai/bge-large-en-v1.5", 1024, "@cf/baai/bge-m3", 1024);

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
        String full = fullAnswer(request, price);
        String text = cut(full, request.maxTokens());
        // Cut short by max_tokens, the answer says so, as a model's does ("length"), so clients can tell.
        return new ChatCompletion(text, new ProviderUsage(tokens.countPrompt(request.messages()), tokens.count(text)),
                text.equals(full.stripTrailing()) ? "stop" : "length");
    }

    @Override
    public ChatCompletion chatStream(ChatRequest request, Consumer<String> onDelta) {
        ChatCompletion whole = chat(request);
        for (String word : whole.text().split("(?<= )")) {
            onDelta.accept(word);
        }
        return whole;
    }

    /** The deterministic text, before max_tokens. */
    private static String fullAnswer(ChatRequest request, ModelPrice price) {
        String last = request.messages().stream().filter(m -> m.role().equals("user")).map(ChatMessage::content)
                .reduce((a, b) -> b).orElse("");
        String quoted = last.length() > 80 ? last.substring(0, 80) : last;
        return "[offline] This is Tollgate's offline provider standing in for " + price.model()
                + "; no model was called. You said: " + quoted;
    }

    /** The text's words that fit in max_tokens tokens. */
    private String cut(String full, int maxTokens) {
        StringBuilder out = new StringBuilder();
        for (String word : full.split("(?<= )")) {
            if (tokens.count(out + word) > maxTokens) {
                break;
            }
            out.append(word);
        }
        return out.toString().stripTrailing();
    }

    /**
     * Deterministic unit vectors: the same text and model always give the same vector, of the model's real size,
     * so code that stores embeddings can be tried offline. They carry no meaning.
     */
    @Override
    public Embeddings embed(EmbeddingRequest request) {
        requirePrice(request.model());
        int dimensions = EMBEDDING_SIZES.getOrDefault(request.model(), 768);
        List<EmbeddingVector> vectors = new ArrayList<>();
        long counted = 0;
        for (String text : request.texts()) {
            vectors.add(MediaInputs.vector(vector(request.model() + "\u0000" + text, dimensions)));
            counted += tokens.count(text) + 2;
        }
        return new Embeddings(vectors, new ProviderUsage(counted, 0));
    }

    /** A 1024×1024 PNG of one colour chosen by the prompt, so the image is clearly a stand-in. */
    @Override
    public GeneratedImage generateImage(ImageRequest request) {
        requirePrice(request.model());
        byte[] seed = sha256(request.model() + "\u0000" + request.prompt());
        BufferedImage image = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(seed[0] & 0xFF, seed[1] & 0xFF, seed[2] & 0xFF));
        g.fillRect(0, 0, 1024, 1024);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
        return new GeneratedImage(png.toByteArray(), "image/png");
    }

    /** No speech is recognised: the text says so and how much audio arrived. */
    @Override
    public Transcription transcribe(TranscriptionRequest request) {
        requirePrice(request.model());
        String text = "[offline] No speech model was called; " + request.audio().length + " bytes of audio received.";
        return new Transcription(text, text.split(" ").length, List.of(), null);
    }

    @Override
    public ChatCompletion visionChat(VisionChatRequest request) {
        ChatCompletion chat = chat(request.chat());
        long input = chat.usage().inputTokens() + VisionChatRequest.IMAGE_TOKENS;
        return new ChatCompletion(chat.text(), new ProviderUsage(input, chat.usage().outputTokens()),
                chat.finishReason());
    }

    private void requirePrice(String model) {
        if (prices.priceOf(model).isEmpty()) {
            throw ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, "No such model.");
        }
    }

    private static float[] vector(String seed, int dimensions) {
        float[] vector = new float[dimensions];
        double norm = 0;
        byte[] block = new byte[0];
        for (int i = 0; i < dimensions; i++) {
            if (i % 32 == 0) {
                block = sha256(seed + "\u0000" + (i / 32));
            }
            vector[i] = (block[i % 32] / 128f);
            norm += vector[i] * vector[i];
        }
        float scale = norm == 0 ? 1f : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dimensions; i++) {
            vector[i] *= scale;
        }
        return vector;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
