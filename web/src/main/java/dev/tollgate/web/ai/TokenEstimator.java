package dev.tollgate.web.ai;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Local token counts (JTokkit, cl100k), used to size holds and, when a provider reports no usage, as the billed
 * figure — then always marked as an estimate. cl100k is close to Llama 3's tokenizer for English and over-counts
 * other scripts, which errs on the safe side for a hold. Mistral 7B's 32k SentencePiece vocabulary splits text into
 * about a fifth to a quarter more tokens than cl100k, so its counts are raised by a quarter (rounded up): an
 * estimate below the real count would size a hold too small and, without provider usage, under-charge.
 */
@Component
public class TokenEstimator {
    /** A chat template adds a few tokens per message and a handful per request. */
    static final int PER_MESSAGE = 5;
    static final int PER_REQUEST = 3;

    private final Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

    /**
     * The longest run without white space that is counted in one piece. cl100k's pre-tokenizer keeps a run of
     * letters (or of punctuation) whole, and byte-pair merging one long piece costs time and memory far beyond its
     * length: four million letters in one message took a minute, and twelve million ran a 512 MB heap out of memory.
     * Cut into pieces of this length, a megabyte of random letters is counted in about 0.1 s, and a megabyte of
     * ordinary words (which never reach the cut) in under 0.01 s. A cut can only lose a merge across it, so a count
     * errs upwards, by at most a token per cut. Text whose words are shorter than this is counted as before.
     */
    static final int LONGEST_PIECE = 128;

    public long count(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        long total = 0;
        int from = 0;
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                run = 0;
            } else if (++run >= LONGEST_PIECE && !Character.isHighSurrogate(text.charAt(i))) {
                total += encoding.countTokens(text.substring(from, i + 1));
                from = i + 1;
                run = 0;
            }
        }
        return from == text.length() ? total : total + encoding.countTokens(text.substring(from));
    }

    /** The messages as the model reads them: text, and the JSON of a tool loop's calls and call ids. */
    public long countPrompt(List<ChatMessage> messages) {
        long total = PER_REQUEST;
        for (ChatMessage message : messages) {
            total += PER_MESSAGE + count(message.content()) + count(message.toolCalls()) + count(message.toolCallId())
                    + count(message.name());
        }
        return total;
    }

    /** A chat's whole input: its messages plus the tool definitions, which the chat template puts in the prompt. */
    public long countInput(ChatRequest request) {
        return forModel(request.model(), countPrompt(request.messages()) + count(request.tools()));
    }

    /** {@link #count(String)} as {@code model}'s own tokenizer would come out. */
    public long count(String model, String text) {
        return forModel(model, count(text));
    }

    /** {@link #countPrompt(List)} as {@code model}'s own tokenizer would come out. */
    public long countPrompt(String model, List<ChatMessage> messages) {
        return forModel(model, countPrompt(messages));
    }

    private static long forModel(String model, long cl100k) {
        if (model != null && model.contains("/mistral-7b")) {
            return cl100k + (cl100k + 3) / 4;
        }
        return cl100k;
    }
}
