package dev.tollgate.web.workersai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.http.ChatStreams;
import dev.tollgate.web.http.RequestIds;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Workers AI's own run endpoint, so Cloudflare's SDKs work with only their base URL and token changed. Any
 * {@code {account}} is accepted (the caller's Tollgate credentials decide whose money is used); the model may come
 * raw ({@code @cf/meta/…}) or URL-encoded ({@code @cf%2Fmeta%2F…}), as Cloudflare's SDK sends it.
 */
@RestController
public class WorkersAiController {
    static final String PREFIX = "/client/v4/accounts/";

    private final MeteredCalls metered;
    private final ObjectMapper mapper;

    public WorkersAiController(MeteredCalls metered, ObjectMapper mapper) {
        this.metered = metered;
        this.mapper = mapper;
    }

    @PostMapping("/client/v4/accounts/{account}/ai/run/**")
    public Object run(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body, HttpServletRequest http,
                      HttpServletResponse response) {
        ChatRequest request = read(model(http), body);
        AccountId account = AccountId.of(caller.userId());
        String requestId = RequestIds.current();
        if (!body.path("stream").asBoolean(false)) {
            MeteredCalls.Metered done = metered.chat(account, request, requestId);
            ObjectNode envelope = mapper.createObjectNode();
            ObjectNode result = envelope.putObject("result");
            result.put("response", done.text());
            result.putArray("tool_calls");
            result.set("usage", usage(done));
            envelope.put("success", true);
            envelope.putArray("errors");
            envelope.putArray("messages");
            envelope.set("x_tollgate", mapper.createObjectNode().put("request_id", done.requestId())
                    .put("cost_usd", done.cost().toUsdString()).put("balance_usd", done.balanceAfter().toUsdString())
                    .put("provider", done.provider()));
            return envelope;
        }
        ChatStreams stream = new ChatStreams(response);
        MeteredCalls.Metered done;
        try {
            done = metered.chatStream(account, request, requestId,
                    delta -> stream.data(mapper.createObjectNode().put("response", delta).toString()));
        } catch (ProviderException failed) {
            if (!stream.started()) {
                throw failed;
            }
            return null; // a stream without [DONE] is how Workers AI clients recognise a broken one
        }
        ObjectNode last = mapper.createObjectNode().put("response", "");
        last.set("usage", usage(done));
        stream.data(last.toString());
        stream.data("[DONE]");
        return null;
    }

    private ObjectNode usage(MeteredCalls.Metered done) {
        return mapper.createObjectNode().put("prompt_tokens", done.inputTokens())
                .put("completion_tokens", done.outputTokens())
                .put("total_tokens", done.inputTokens() + done.outputTokens());
    }

    /** The model is everything after /ai/run/ in the raw path, decoded once. */
    static String model(HttpServletRequest http) {
        String uri = http.getRequestURI();
        int at = uri.indexOf("/ai/run/");
        String raw = at < 0 ? "" : uri.substring(at + "/ai/run/".length());
        return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    }

    private static ChatRequest read(String model, JsonNode body) {
        if (model.isBlank()) {
            throw new WorkersAiError(400, 5007, "No such model");
        }
        List<ChatMessage> messages = new ArrayList<>();
        JsonNode list = body.get("messages");
        if (list != null && list.isArray()) {
            for (JsonNode m : list) {
                if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                    throw new WorkersAiError(400, 5006, "AiError: Bad input: each message needs role and content");
                }
                messages.add(new ChatMessage(m.get("role").textValue(), m.get("content").textValue()));
            }
        } else if (body.path("prompt").isTextual()) {
            messages.add(new ChatMessage("user", body.get("prompt").textValue()));
        }
        if (messages.isEmpty()) {
            throw new WorkersAiError(400, 5006, "AiError: Bad input: send prompt or messages");
        }
        int maxTokens = 256;
        JsonNode max = body.get("max_tokens");
        if (max != null && !max.isNull()) {
            if (!max.isIntegralNumber() || max.asLong() < 1 || max.asLong() > 32_768) {
                throw new WorkersAiError(400, 5006, "AiError: Bad input: max_tokens must be from 1 to 32768");
            }
            maxTokens = max.intValue();
        }
        JsonNode t = body.get("temperature");
        String temperature = t != null && t.isNumber() ? t.decimalValue().toPlainString() : null;
        return new ChatRequest(model, messages, maxTokens, temperature);
    }
}
