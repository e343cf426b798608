package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderUsage;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The answer as it streams in. Understands both chunk shapes Workers AI sends on {@code /ai/run}: its own
 * {@code {"response","p","usage"}} and OpenAI's {@code chat.completion.chunk}. Usage is cumulative, so the last
 * one seen is the figure; increments are never added (that would double-charge).
 */
final class StreamedAnswer implements ServerSentEvents.DataHandler {

    private final ObjectMapper json;
    private final Consumer<String> onDelta;
    private final StringBuilder text = new StringBuilder();
    private ProviderUsage lastUsage;
    private String finishReason;
    private boolean passedOn;

    StreamedAnswer(ObjectMapper json, Consumer<String> onDelta) {
        this.json = json;
        this.onDelta = onDelta;
    }

    @Override
    public boolean onData(String data) throws IOException {
        if ("[DONE]".equals(data.strip())) {
            return true;
        }
        // A chunk that is not JSON surfaces as an IOException, i.e. a broken stream.
        JsonNode chunk = json.readTree(data);
        String delta = deltaText(chunk);
        if (delta != null && !delta.isEmpty()) {
            text.append(delta);
            passedOn = true;
            onDelta.accept(delta);
        }
        ProviderUsage usage = WorkersAiJson.usage(chunk);
        if (usage != null) {
            lastUsage = usage;
        }
        JsonNode reason = chunk.path("choices").path(0).path("finish_reason");
        if (reason.isTextual()) {
            finishReason = reason.asText();
        }
        return false;
    }

    private static String deltaText(JsonNode chunk) {
        JsonNode response = chunk.path("response");
        if (response.isTextual()) {
            return response.asText();
        }
        JsonNode content = chunk.path("choices").path(0).path("delta").path("content");
        return content.isTextual() ? content.asText() : null;
    }

    /** True once any text reached the caller: from then on the call must not be repeated. */
    boolean passedOn() {
        return passedOn;
    }

    ChatCompletion completion() {
        return new ChatCompletion(text.toString(), lastUsage, finishReason);
    }

    /** What was produced before a break, or null when nothing was (no text, no usage). */
    ChatCompletion partial() {
        return text.length() == 0 && lastUsage == null ? null : completion();
    }
}
