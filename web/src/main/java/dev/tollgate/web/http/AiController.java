package dev.tollgate.web.http;

import dev.tollgate.web.ai.Payer;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.domain.metering.ProviderException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.Sampling;
import dev.tollgate.web.ai.SamplingInput;
import dev.tollgate.web.ai.ToolCallForms;
import dev.tollgate.web.ai.ToolsInput;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.ledger.Fingerprint;
import org.springframework.web.bind.annotation.RequestHeader;
import dev.tollgate.web.security.Caller;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Tollgate's own AI API: models, prices, and metered chat. */
@RestController
public class AiController {
    static final int DEFAULT_MAX_TOKENS = 256;
    static final int MAX_MAX_TOKENS = 32_768;
    private static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool");

    private final MeteredCalls metered;
    private final PriceBook prices;
    private final ObjectMapper mapper;
    private final IdempotentCalls idempotent;

    public AiController(MeteredCalls metered, PriceBook prices, ObjectMapper mapper, IdempotentCalls idempotent) {
        this.metered = metered;
        this.prices = prices;
        this.mapper = mapper;
        this.idempotent = idempotent;
    }

    /** {@code unit_prices} is empty for models priced on tokens alone. */
    public record ModelView(String id, String name, String task, String provider, String inputUsdPerM,
                            String outputUsdPerM, List<UnitPriceView> unitPrices) {
    }

    /** {@code unit} is "tokens", or "units" for models priced per image tile and step or per audio time. */
    public record PriceView(String model, String inputUsdPerM, String outputUsdPerM, String unit,
                            List<UnitPriceView> unitPrices) {
    }

    /** {@code unit_usd} per {@code per} {@code unit}s: e.g. "0.0005" per 60000 audio_millisecond. */
    public record UnitPriceView(String unit, String unitUsd, long per) {
    }

    public record UsageView(long inputTokens, long outputTokens, long totalTokens, String source) {
    }

    /** {@code tool_calls}, in OpenAI's form, is there only when the model asked for function calls (ADR 44). */
    public record ChatView(String requestId, String model, String response, UsageView usage, String costUsd,
                           String balanceUsd, String provider, long latencyMs,
                           @JsonInclude(JsonInclude.Include.NON_NULL)
                           @Schema(description = "the function calls the model asked for; absent when none")
                           List<ToolCallView> toolCalls) {
        static ChatView of(MeteredCalls.Metered m) {
            return new ChatView(m.requestId(), m.model(), m.text(),
                    new UsageView(m.inputTokens(), m.outputTokens(), m.inputTokens() + m.outputTokens(),
                            m.source().name().toLowerCase(Locale.ROOT)),
                    m.cost().toUsdString(), m.balanceAfter().toUsdString(), m.provider(), m.latencyMs(),
                    ToolCallView.of(m));
        }
    }

    /** One function call in OpenAI's form; {@code type} is always "function". */
    public record ToolCallView(String id, String type, ToolFunctionView function) {
        static List<ToolCallView> of(MeteredCalls.Metered m) {
            JsonNode calls = ToolCallForms.openAi(m.toolCalls(), m.requestId());
            if (calls == null) {
                return null;
            }
            List<ToolCallView> views = new ArrayList<>();
            for (JsonNode call : calls) {
                views.add(new ToolCallView(call.get("id").asText(), call.get("type").asText(),
                        new ToolFunctionView(call.get("function").get("name").asText(),
                                call.get("function").get("arguments").asText())));
            }
            return views;
        }
    }

    /** {@code arguments} is the JSON text of the arguments' object, as OpenAI's clients parse it. */
    public record ToolFunctionView(String name, String arguments) {
    }

    @GetMapping("/api/ai/models")
    public List<ModelView> models() {
        return prices.all().stream().map(p -> new ModelView(p.model(), p.model(), p.task(), metered.providerName(),
                p.inputPerMillion().toUsdString(), p.outputPerMillion().toUsdString(), unitPrices(p))).toList();
    }

    @GetMapping("/api/credits/pricing")
    public List<PriceView> pricing() {
        return prices.all().stream().map(p -> new PriceView(p.model(), p.inputPerMillion().toUsdString(),
                p.outputPerMillion().toUsdString(), p.units().isEmpty() ? "tokens" : "units", unitPrices(p))).toList();
    }

    private static List<UnitPriceView> unitPrices(dev.tollgate.domain.metering.ModelPrice price) {
        return price.units().stream().map(u -> new UnitPriceView(u.unit(), u.price().toUsdString(), u.per())).toList();
    }

    /** With an Idempotency-Key, a retry answers the first call: no second upstream call, no second charge. */
    @PostMapping("/api/ai/chat")
    @ApiResponse(responseCode = "200", description = "OK",
            content = @Content(schema = @Schema(implementation = ChatView.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Chat.class)))
    public Object chat(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                       @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        ChatRequest request = chatRequest(body);
        Payer payer = caller.payer();
        if (key == null) {
            return ChatView.of(metered.chat(payer, request, RequestIds.current()));
        }
        return idempotent.once(payer.idempotencyScope(), Amounts.idempotencyKey(key), Fingerprint.of("chat", body),
                () -> ChatView.of(metered.chat(payer, request, RequestIds.current())));
    }

    /**
     * The same chat, streamed as server-sent events: {"response":"…"} chunks, then one chunk with usage, cost and
     * balance, then [DONE]. A client that disconnects is still charged for what the provider produced. With an
     * Idempotency-Key, a retry replays the first stream as it ended (ADR 0019): no second upstream call or charge.
     */
    @PostMapping("/api/ai/chat/stream")
    @ApiResponse(responseCode = "200", description = "Server-sent events: {\"response\"} chunks, then one with usage, "
            + "cost_usd, balance_usd and request_id, then [DONE]", content = @Content(mediaType = "text/event-stream"))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Chat.class)))
    public void chatStream(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                           @RequestHeader(value = "Idempotency-Key", required = false) String key,
                           HttpServletResponse response) {
        ChatRequest request = chatRequest(body);
        Payer payer = caller.payer();
        ChatStreams stream = new ChatStreams(response);
        if (key == null) {
            live(payer, request, stream);
            return;
        }
        IdempotentCalls.StreamedCall first = idempotent.streamOnce(payer.idempotencyScope(), Amounts.idempotencyKey(key),
                Fingerprint.of("chat-stream", body), () -> live(payer, request, stream));
        if (first == null) {
            return;
        }
        if (first.isBroken()) {
            stream.data(json(Map.of("response", first.partialText())));
            broke(stream, first.requestId(), first.charged());
            return;
        }
        if (!first.done().text().isEmpty()) {
            stream.data(json(Map.of("response", first.done().text())));
        }
        finish(stream, first.done());
    }

    /** Streams the call; answers how it ended, or null when it broke before anything was charged. */
    private IdempotentCalls.StreamedCall live(Payer payer, ChatRequest request, ChatStreams stream) {
        MeteredCalls.Metered done;
        String requestId = RequestIds.current();
        try {
            done = metered.chatStream(payer, request, requestId,
                    delta -> stream.data(json(Map.of("response", delta))));
        } catch (ProviderException failed) {
            if (!stream.started() && !failed.producedOutput()) {
                throw failed;
            }
            MeteredCalls.Metered charged = failed instanceof MeteredCalls.PartlyCharged c ? c.charged() : null;
            broke(stream, requestId, charged);
            return failed.producedOutput() ? IdempotentCalls.StreamedCall.broken(requestId, failed) : null;
        }
        finish(stream, done);
        return IdempotentCalls.StreamedCall.finished(done);
    }

    /**
     * The last event of a stream the provider broke off: the error and, when output had been produced, what it was
     * charged (usage, cost, balance) as the finishing event would say it, so the caller need not look it up.
     */
    private void broke(ChatStreams stream, String requestId, MeteredCalls.Metered charged) {
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("error", Map.of("code", "upstream_error", "message",
                "The stream ended before the answer was complete (the provider broke it off or fell silent, or it ran "
                        + "past Tollgate's time limit for one call); you were charged only for what was produced.",
                "request_id", requestId));
        if (charged != null) {
            ChatView view = ChatView.of(charged);
            last.put("usage", view.usage());
            last.put("cost_usd", view.costUsd());
            last.put("balance_usd", view.balanceUsd());
            last.put("request_id", requestId);
        }
        stream.data(json(last));
    }

    private void finish(ChatStreams stream, MeteredCalls.Metered done) {
        ChatView view = ChatView.of(done);
        // As the contract shows it: no "response" field, so no client takes the summary for one more text chunk.
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("usage", view.usage());
        last.put("cost_usd", view.costUsd());
        last.put("balance_usd", view.balanceUsd());
        last.put("request_id", view.requestId());
        last.put("provider", view.provider());
        if (view.toolCalls() != null) {
            last.put("tool_calls", view.toolCalls());
        }
        stream.data(json(last));
        stream.data("[DONE]");
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Reads a chat body strictly; an unknown model is refused here, before any hold is placed. */
    static ChatRequest chatRequest(JsonNode body) {
        String model = Amounts.requiredText(body, "model");
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.badRequest("messages must be a non-empty array of {role, content}");
        }
        String tools;
        try {
            tools = ToolsInput.tools(body);
        } catch (ToolsInput.Invalid bad) {
            throw ApiException.badRequest(bad.getMessage());
        }
        List<ChatMessage> read = new ArrayList<>();
        for (JsonNode m : messages) {
            JsonNode role = m.get("role");
            JsonNode content = m.get("content");
            if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
                throw ApiException.badRequest("each message needs a role: system, user, assistant or tool");
            }
            ToolsInput.MessageFields tool;
            try {
                tool = ToolsInput.of(m);
            } catch (ToolsInput.Invalid bad) {
                throw ApiException.badRequest(bad.getMessage());
            }
            boolean callsInstead = (content == null || content.isNull()) && tool.toolCalls() != null;
            if (!callsInstead && (content == null || !content.isTextual())) {
                throw ApiException.badRequest("each message needs its content as a string (an assistant's may be "
                        + "null beside its tool_calls)");
            }
            read.add(new ChatMessage(role.textValue(), callsInstead ? null : content.textValue(), tool.toolCalls(),
                    tool.toolCallId(), tool.toolName()));
        }
        int maxTokens = DEFAULT_MAX_TOKENS;
        JsonNode max = body.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.canConvertToInt() || !max.isIntegralNumber() || max.intValue() < 1 || max.intValue() > MAX_MAX_TOKENS) {
                throw ApiException.badRequest("max_tokens must be a whole number from 1 to " + MAX_MAX_TOKENS);
            }
            maxTokens = max.intValue();
        }
        String temperature = null;
        JsonNode t = body.get("temperature");
        if (t != null && !t.isNull()) {
            if (!t.isNumber() || t.decimalValue().compareTo(BigDecimal.ZERO) < 0
                    || t.decimalValue().compareTo(BigDecimal.valueOf(5)) > 0) {
                throw ApiException.badRequest("temperature must be a number from 0 to 5");
            }
            temperature = t.decimalValue().toPlainString();
        }
        Sampling sampling;
        try {
            sampling = SamplingInput.read(body);
        } catch (SamplingInput.Invalid bad) {
            throw ApiException.badRequest(bad.getMessage());
        }
        return new ChatRequest(model, read, maxTokens, temperature, sampling, tools);
    }
}
