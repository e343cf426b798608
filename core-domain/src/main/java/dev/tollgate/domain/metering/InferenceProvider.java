package dev.tollgate.domain.metering;

import java.util.List;
import java.util.function.Consumer;

/**
 * The port through which Tollgate calls models. Implementations: the Cloudflare Workers AI client and the offline
 * provider. Every failure is a {@link ProviderException}.
 */
public interface InferenceProvider {

    /** "cloudflare" or "offline": shown on every response so nobody mistakes one for the other. */
    String name();

    /** The models this provider offers (implementations may cache). */
    List<ModelInfo> models();

    /** One text generation, waiting for the whole answer. */
    ChatCompletion chat(ChatRequest request);

    /**
     * One text generation, streamed: {@code onDelta} gets each piece of text as it arrives, in order, on the
     * calling thread. Returns the whole answer with the provider's final cumulative usage (null if it sent none).
     * A stream that breaks after some output throws a {@link ProviderException} whose {@code partial()} holds what
     * was produced.
     */
    ChatCompletion chatStream(ChatRequest request, Consumer<String> onDelta);
}
