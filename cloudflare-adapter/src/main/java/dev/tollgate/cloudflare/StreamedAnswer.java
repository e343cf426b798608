package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderUsage;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The answer as it streams in. Understands both chunk shapes Workers AI sends on {@code /ai/run}: its own
 * {@code {"response","p","usage"}} and OpenAI's {@code chat.completion.chunk}. Workers AI's own usage is
 * cumulative, and when it comes it is the figure: increments are never added to it (that would double-charge).
 * OpenAI chunks may carry usage too, either as running totals or as increments (the reference says increments; what
 * was seen are running totals). Until a cumulative figure arrives, they are told apart by how the output count moves
 * on chunks that bring text: a running total grows with every such chunk (a token split across two chunks aside),
 * while increments shrink or stand still ({@code 1, 1, 1…}). Running totals end on their last figure; increments on
 * the sum of their output and the largest prompt count (a prompt repeated on every increment is still one prompt).
 * So a stream cut before its final figure, or ended without one, is still charged for everything its chunks counted:
 * reading forty one-token increments as totals had charged one token for forty. A chunk that is Cloudflare's error
 * envelope ends the stream there, as a broken one.
 * <p>
 * How Workers AI streams function calls is not in the reference (unverified): both ways seen in OpenAI-style APIs are
 * collected, whole calls in a chunk's {@code tool_calls} and OpenAI's {@code delta.tool_calls} pieces joined by their
 * {@code index}. They are handed on whole with the completion, since a call is of no use before its arguments end.
 */
final class StreamedAnswer implements ServerSentEvents.DataHandler {

    private final ObjectMapper json;
    private final Consumer<String> onDelta;
    private final StringBuilder text = new StringBuilder();
    private ProviderUsage cumulative;
    private ProviderUsage lastChunkUsage;
    private long chunkInputMax;
    private long chunkOutputSum;
    private boolean chunkUsageShrank;
    /** Chunks with text and usage after the first with usage, and how many of them did not raise the output count. */
    private int textSteps;
    private int flatTextSteps;
    private boolean chunkSumOverflowed;
    private String finishReason;
    private boolean passedOn;
    private String error;
    private final ArrayNode wholeCalls;
    /** OpenAI's pieces of each call by its index: id, name and the arguments' text so far. */
    private final Map<Integer, ObjectNode> pieceCalls = new TreeMap<>();

    StreamedAnswer(ObjectMapper json, Consumer<String> onDelta) {
        this.json = json;
        this.onDelta = onDelta;
        this.wholeCalls = json.createArrayNode();
    }

    @Override
    public boolean onData(String data) throws IOException {
        if ("[DONE]".equals(data.strip())) {
            return true;
        }
        // A chunk that is not JSON surfaces as an IOException, i.e. a broken stream.
        JsonNode chunk = json.readTree(data);
        if (isError(chunk)) {
            // Workers AI's error envelope in place of a chunk: the stream broke here, whatever may follow.
            error = data;
            return true;
        }
        String delta = deltaText(chunk);
        if (delta != null && !delta.isEmpty()) {
            text.append(delta);
            passedOn = true;
            onDelta.accept(delta);
        }
        ProviderUsage usage = WorkersAiJson.usage(chunk);
        if (usage != null && "chat.completion.chunk".equals(chunk.path("object").asText())) {
            if (lastChunkUsage != null) {
                if (usage.inputTokens() < lastChunkUsage.inputTokens()
                        || usage.outputTokens() < lastChunkUsage.outputTokens()) {
                    chunkUsageShrank = true;
                }
                if (delta != null && !delta.isEmpty()) {
                    textSteps++;
                    if (usage.outputTokens() <= lastChunkUsage.outputTokens()) {
                        flatTextSteps++;
                    }
                }
            }
            lastChunkUsage = usage;
            chunkInputMax = Math.max(chunkInputMax, usage.inputTokens());
            try {
                chunkOutputSum = Math.addExact(chunkOutputSum, usage.outputTokens());
            } catch (ArithmeticException absurd) {
                // A sum past a long is no count (ADR 43): unusable like a negative one, and never a reason to break
                // a stream whose text already reached the caller.
                chunkSumOverflowed = true;
            }
        } else if (usage != null) {
            cumulative = usage;
        }
        collectToolCalls(chunk);
        JsonNode reason = chunk.path("choices").path(0).path("finish_reason");
        if (reason.isTextual()) {
            finishReason = reason.asText();
        }
        return false;
    }

    private void collectToolCalls(JsonNode chunk) {
        for (JsonNode call : chunk.path("tool_calls")) {
            if (call.isObject()) {
                wholeCalls.add(call);
            }
        }
        for (JsonNode piece : chunk.path("choices").path(0).path("delta").path("tool_calls")) {
            if (!piece.isObject()) {
                continue;
            }
            ObjectNode call = pieceCalls.computeIfAbsent(piece.path("index").asInt(pieceCalls.size()), i -> {
                ObjectNode fresh = json.createObjectNode();
                fresh.put("type", "function").putObject("function").put("name", "").put("arguments", "");
                return fresh;
            });
            if (piece.path("id").isTextual()) {
                call.put("id", piece.path("id").asText());
            }
            ObjectNode function = (ObjectNode) call.get("function");
            JsonNode name = piece.path("function").path("name");
            String known = function.path("name").asText();
            if (name.isTextual() && !known.equals(name.asText())) {
                // OpenAI names a call in its first piece only; a server that repeats the name must not double it.
                function.put("name", known + name.asText());
            }
            JsonNode arguments = piece.path("function").path("arguments");
            if (arguments.isTextual()) {
                function.put("arguments", function.path("arguments").asText() + arguments.asText());
            } else if (arguments.isObject()) {
                function.put("arguments", arguments.toString());
            }
        }
    }

    private String toolCalls() {
        if (wholeCalls.isEmpty() && pieceCalls.isEmpty()) {
            return null;
        }
        ArrayNode calls = wholeCalls.deepCopy();
        pieceCalls.values().forEach(calls::add);
        return calls.toString();
    }

    private static boolean isError(JsonNode chunk) {
        return (chunk.path("success").isBoolean() && !chunk.path("success").booleanValue())
                || (chunk.path("errors").isArray() && !chunk.path("errors").isEmpty());
    }

    /** The error chunk that broke the stream ({@code {"errors":[…],"success":false}}), or null when none did. */
    String error() {
        return error;
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
        return new ChatCompletion(text.toString(), usage(), finishReason, toolCalls());
    }

    private ProviderUsage usage() {
        if (cumulative != null || lastChunkUsage == null) {
            return cumulative;
        }
        boolean runningTotals = !chunkUsageShrank && flatTextSteps * 2 <= textSteps;
        if (runningTotals) {
            return lastChunkUsage;
        }
        return chunkSumOverflowed ? null : new ProviderUsage(chunkInputMax, chunkOutputSum);
    }

    /** What was produced before a break, or null when nothing was (no text, no usage). */
    ChatCompletion partial() {
        return text.length() == 0 && usage() == null ? null : completion();
    }
}
