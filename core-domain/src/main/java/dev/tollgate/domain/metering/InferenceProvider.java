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

    /** Embeds each text; {@code usage} is null when the provider reported none. */
    default Embeddings embed(EmbeddingRequest request) {
        throw notOffered("embeddings");
    }

    /** One image from a prompt. */
    default GeneratedImage generateImage(ImageRequest request) {
        throw notOffered("text-to-image");
    }

    /** The text of a recording. */
    default Transcription transcribe(TranscriptionRequest request) {
        throw notOffered("speech recognition");
    }

    /** A chat about one image, answered as text generation. */
    default ChatCompletion visionChat(VisionChatRequest request) {
        throw notOffered("vision chat");
    }

    private ProviderException notOffered(String task) {
        return ProviderException.of(ProviderException.Kind.BAD_INPUT, "The " + name() + " provider does not offer "
                + task + ".");
    }
}
