package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ProviderUsage;
import dev.tollgate.domain.metering.Sampling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.tollgate.cloudflare.FakeWorkersAi.MODEL;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.eventStream;
import static dev.tollgate.cloudflare.FakeWorkersAi.json;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;

/** Function calling on {@code /ai/run} (ADR 44): tool definitions and the tool loop's messages out, calls back. */
@Timeout(5)
class CloudflareWorkersAiToolsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"The weather in a city\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
    private static final String CALLS = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
            + "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]";

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client();
    private final List<String> deltas = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    private static ChatRequest withTools(List<ChatMessage> messages) {
        return new ChatRequest(MODEL, messages, 256, null, Sampling.NONE, TOOLS);
    }

    @Test
    void theToolDefinitionsAndTheToolLoopsMessagesReachWorkersAiAsTheCallerWroteThem() throws Exception {
        // given the second turn of a tool loop: the question, the assistant's call without text, the tool's result
        ChatRequest turn = withTools(List.of(new ChatMessage("user", "Weather in Paris?"),
                new ChatMessage("assistant", null, CALLS, null),
                new ChatMessage("tool", "{\"celsius\":21}", null, "call_1")));
        fake.answer(envelope("It is 21 °C in Paris.", usage(90, 9)));

        // when it is run
        workersAi.chat(turn);

        // then the tools and the tool fields travel unchanged, and the assistant's missing text goes as ""
        JsonNode body = FakeWorkersAi.bodyOf(fake.takeRequest());
        assertThat(body.get("tools")).isEqualTo(JSON.readTree(TOOLS));
        JsonNode call = body.get("messages").get(1);
        assertThat(call.get("role").asText()).isEqualTo("assistant");
        assertThat(call.get("content").asText()).isEmpty();
        assertThat(call.get("tool_calls")).isEqualTo(JSON.readTree(CALLS));
        JsonNode result = body.get("messages").get(2);
        assertThat(result.get("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(result.get("content").asText()).isEqualTo("{\"celsius\":21}");
        assertThat(body.get("messages").get(0).has("tool_calls")).isFalse();
        assertThat(body.get("messages").get(0).has("tool_call_id")).isFalse();
    }

    @Test
    void aResultOfOnlyFunctionCallsIsAnAnswerWithTheCallsAsWorkersAiWroteThem() throws Exception {
        // given a Workers AI that answers with a call in its own form and no response at all
        String calls = "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]";
        fake.answer(json(200, "{\"result\":{\"tool_calls\":" + calls + ",\"usage\":" + usage(80, 12) + "},"
                + "\"success\":true,\"errors\":[],\"messages\":[]}"));

        // when a chat with tools is run
        ChatCompletion answer = workersAi.chat(withTools(List.of(new ChatMessage("user", "Weather in Paris?"))));

        // then the answer is the calls, with no text, and the usage as reported
        assertThat(JSON.readTree(answer.toolCalls())).isEqualTo(JSON.readTree(calls));
        assertThat(answer.text()).isEmpty();
        assertThat(answer.usage()).isEqualTo(new ProviderUsage(80, 12));
    }

    @Test
    void anOpenAiShapedResultsCallsAreKeptAndAnEmptyListIsNone() throws Exception {
        // given one answer in OpenAI's shape with a call, and one of Workers AI's with "tool_calls":[]
        fake.answer(json(200, "{\"result\":{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":" + CALLS + "},\"finish_reason\":\"tool_calls\"}],\"usage\":" + usage(80, 12)
                + "},\"success\":true,\"errors\":[],\"messages\":[]}"));
        fake.answer(envelope("Sunny.", usage(80, 2)));

        // when both are run
        ChatRequest chat = withTools(List.of(new ChatMessage("user", "Weather in Paris?")));
        ChatCompletion called = workersAi.chat(chat);
        ChatCompletion answered = workersAi.chat(chat);

        // then the first carries the calls and OpenAI's finish reason, the second none
        assertThat(JSON.readTree(called.toolCalls())).isEqualTo(JSON.readTree(CALLS));
        assertThat(called.text()).isEmpty();
        assertThat(called.finishReason()).isEqualTo("tool_calls");
        assertThat(answered.toolCalls()).isNull();
        assertThat(answered.text()).isEqualTo("Sunny.");
    }

    @Test
    void aStreamsWholeCallsAndOpenAiPiecesAreCollectedIntoTheCompletion() throws Exception {
        // given a stream with one whole call in Workers AI's form, then one call in OpenAI's pieces (unverified forms)
        fake.answer(eventStream(
                "{\"response\":\"\",\"tool_calls\":[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]}",
                "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        + "\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                        + "\"arguments\":\"{\\\"tz\\\":\"}}]},\"finish_reason\":null}]}",
                "{\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
                        + "\"function\":{\"arguments\":\"\\\"CET\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}",
                "{\"response\":\"\",\"usage\":" + usage(70, 20) + "}",
                "[DONE]"));

        // when it is streamed
        ChatCompletion answer = workersAi.chatStream(withTools(List.of(new ChatMessage("user", "Paris?"))),
                deltas::add);

        // then no text was passed on, and the completion holds both calls whole
        assertThat(deltas).isEmpty();
        JsonNode calls = JSON.readTree(answer.toolCalls());
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0)).isEqualTo(JSON.readTree("{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}"));
        assertThat(calls.get(1).get("id").asText()).isEqualTo("call_9");
        assertThat(calls.get(1).get("function").get("name").asText()).isEqualTo("get_time");
        assertThat(calls.get(1).get("function").get("arguments").asText()).isEqualTo("{\"tz\":\"CET\"}");
        assertThat(answer.finishReason()).isEqualTo("tool_calls");
        assertThat(answer.usage()).isEqualTo(new ProviderUsage(70, 20));
    }

    @Test
    void aStreamWithoutCallsHasNone() {
        fake.answer(eventStream("{\"response\":\"Hi\"}", "{\"response\":\"\",\"usage\":" + usage(5, 1) + "}",
                "[DONE]"));

        ChatCompletion answer = workersAi.chatStream(withTools(List.of(new ChatMessage("user", "Hi"))), deltas::add);

        assertThat(answer.toolCalls()).isNull();
        assertThat(answer.text()).isEqualTo("Hi");
    }
}
