package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * Function calling through every text surface (ADR 44), against a fake Workers AI: the tool definitions and the tool
 * loop's messages reach {@code /ai/run}, the calls the model asks for come back in each surface's form, and bad
 * function-calling input is refused before any hold.
 */
class FunctionCallingTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String RUN_PATH = "/client/v4/accounts/a/ai/run/" + MODEL;
    private static final String TOOLS = "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"The weather in a city\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";
    private static final String QUESTION = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"}]";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":40,\"tools\":" + TOOLS + ","
            + QUESTION + "}";
    private static final String RUN = "{\"max_tokens\":40,\"tools\":" + TOOLS + "," + QUESTION + "}";
    /** The call as Workers AI's /ai/run writes it: the arguments as an object, and no id. */
    private static final String WORKERS_AI_CALLS = "[{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}]";

    private static MockResponse callsWeather() {
        return json200("{\"result\":{\"response\":\"\",\"tool_calls\":" + WORKERS_AI_CALLS + ",\"usage\":"
                + "{\"prompt_tokens\":120,\"completion_tokens\":18,\"total_tokens\":138}},\"success\":true,"
                + "\"errors\":[],\"messages\":[]}");
    }

    private static MockResponse answersInText(String text) {
        return json200("{\"result\":{\"response\":\"" + text + "\",\"tool_calls\":[],\"usage\":"
                + "{\"prompt_tokens\":150,\"completion_tokens\":9,\"total_tokens\":159}},\"success\":true,"
                + "\"errors\":[],\"messages\":[]}");
    }

    private static MockResponse streamsACall() {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"\",\"tool_calls\":" + WORKERS_AI_CALLS + "}\n\n"
                        + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":18,"
                        + "\"total_tokens\":138}}\n\n"
                        + "data: [DONE]\n\n");
    }

    @Test
    void theOpenAiSdkGetsAToolCallAndItsSecondTurnReachesWorkersAiWithTheCallAndTheResult() throws Exception {
        // given a funded user's OpenAI client, a weather tool, and a model that calls it, then answers in text
        String apiKey = http.post("/api/auth/api-keys", funded("1").token(), json("name", "sdk")).body()
                .get("key").asText();
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(apiKey).baseUrl(app.baseUrl() + "/v1")
                .maxRetries(0).build();
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").description("The weather in a city")
                .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                        .build())
                .build()).build();
        workersAi.enqueue(callsWeather());
        workersAi.enqueue(answersInText("It is 21 degrees in Paris."));

        // when the SDK asks with the tool
        ChatCompletion first = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Weather in Paris?").addTool(weather).maxCompletionTokens(40).build());

        // then the answer is the call in OpenAI's form: an id, the function's name, its arguments as JSON text
        ChatCompletion.Choice choice = first.choices().get(0);
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).isEmpty();
        assertThat(choice.message().toolCalls()).hasValueSatisfying(calls -> assertThat(calls).hasSize(1));
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertThat(call.id()).startsWith("call_");
        assertThat(call.function().name()).isEqualTo("get_weather");
        assertThat(Http.JSON.readTree(call.function().arguments())).isEqualTo(Http.JSON.readTree("{\"city\":\"Paris\"}"));
        // and Workers AI was offered the tool as the SDK wrote it
        JsonNode asked = sent();
        assertThat(asked.path("tools").path(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(asked.path("tools").path(0).path("function").path("parameters").path("properties").has("city"))
                .isTrue();

        // when the SDK sends the loop's second turn: the assistant's call and the tool's result
        ChatCompletion second = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("Weather in Paris?").addMessage(choice.message())
                .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("{\"celsius\":21}")
                        .build())
                .addTool(weather).maxCompletionTokens(40).build());

        // then it is answered, and Workers AI received the call and the result with their fields intact
        assertThat(second.choices().get(0).message().content()).hasValue("It is 21 degrees in Paris.");
        assertThat(second.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
        JsonNode messages = sent().path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.path(1).path("role").asText()).isEqualTo("assistant");
        assertThat(messages.path(1).path("tool_calls").path(0).path("id").asText()).isEqualTo(call.id());
        assertThat(messages.path(1).path("tool_calls").path(0).path("function").path("name").asText())
                .isEqualTo("get_weather");
        assertThat(messages.path(2).path("role").asText()).isEqualTo("tool");
        assertThat(messages.path(2).path("tool_call_id").asText()).isEqualTo(call.id());
        assertThat(messages.path(2).path("content").asText()).isEqualTo("{\"celsius\":21}");
    }

    @Test
    void everySurfaceOffersTheToolsAndAnswersTheCallInItsOwnForm() throws Exception {
        // given a funded user and a model that calls the weather tool each time
        String token = funded("1").token();
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(callsWeather());
        }

        // when a chat with tools is sent on each surface
        Http.Answer own = http.post("/api/ai/chat", token, CHAT);
        Http.Answer openAi = http.post("/v1/chat/completions", token, CHAT);
        Http.Answer cloudflare = http.post(RUN_PATH, token, RUN);

        // then each reached Workers AI with the tools as sent
        for (int i = 0; i < 3; i++) {
            assertThat(sent().get("tools")).isEqualTo(Http.JSON.readTree(TOOLS));
        }
        // and Tollgate's own answer adds the call in OpenAI's form
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        JsonNode ownCall = own.body().path("tool_calls").path(0);
        assertThat(ownCall.path("id").asText()).startsWith("call_");
        assertThat(ownCall.path("type").asText()).isEqualTo("function");
        assertThat(ownCall.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(ownCall.path("function").path("arguments").isTextual()).isTrue();
        assertThat(Http.JSON.readTree(ownCall.path("function").path("arguments").asText()).path("city").asText())
                .isEqualTo("Paris");
        // and OpenAI's has no text, the call, and stops for it
        JsonNode message = openAi.body().path("choices").path(0).path("message");
        assertThat(message.get("content").isNull()).isTrue();
        assertThat(message.path("tool_calls").path(0).path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(openAi.body().path("choices").path(0).path("finish_reason").asText()).isEqualTo("tool_calls");
        // and Cloudflare's passes the calls on as Workers AI gave them
        assertThat(cloudflare.body().path("result").path("tool_calls"))
                .isEqualTo(Http.JSON.readTree(WORKERS_AI_CALLS));
        // and each was charged on the provider's usage, as any chat
        assertThat(own.body().path("usage").path("input_tokens").asLong()).isEqualTo(120);
        assertThat(own.body().path("usage").path("source").asText()).isEqualTo("provider");
        assertThat(openAi.body().path("usage").path("completion_tokens").asLong()).isEqualTo(18);
    }

    @Test
    void aChatWithoutCallsKeepsItsUsualAnswerOnEverySurface() {
        // given a model that answers in text although it was offered tools
        String token = funded("1").token();
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(answersInText("Sunny."));
        }

        // when a chat with tools is sent on each surface
        Http.Answer own = http.post("/api/ai/chat", token, CHAT);
        Http.Answer openAi = http.post("/v1/chat/completions", token, CHAT);
        Http.Answer cloudflare = http.post(RUN_PATH, token, RUN);

        // then the text is answered as before: no tool_calls where there were none, an empty list on Cloudflare's
        assertThat(own.body().has("tool_calls")).isFalse();
        assertThat(own.body().path("response").asText()).isEqualTo("Sunny.");
        JsonNode message = openAi.body().path("choices").path(0).path("message");
        assertThat(message.has("tool_calls")).isFalse();
        assertThat(message.path("content").asText()).isEqualTo("Sunny.");
        assertThat(openAi.body().path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(cloudflare.body().path("result").path("tool_calls").isArray()).isTrue();
        assertThat(cloudflare.body().path("result").path("tool_calls")).isEmpty();
    }

    @Test
    void theLoopsSecondTurnIsAcceptedOnTollgatesOwnChatAndCloudflaresRunPath() throws Exception {
        // given a funded user and a model that answers in text
        String token = funded("1").token();
        workersAi.enqueue(answersInText("21 degrees."));
        workersAi.enqueue(answersInText("21 degrees."));
        String turn = "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_7\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_7\",\"name\":\"get_weather\","
                + "\"content\":\"{\\\"celsius\\\":21}\"}]";

        // when the assistant's call (with no content at all) and the tool's result, naming its function as Workers
        // AI's own examples do, are sent on both
        Http.Answer own = http.post("/api/ai/chat", token, CHAT.replace(QUESTION, turn));
        Http.Answer cloudflare = http.post(RUN_PATH, token, RUN.replace(QUESTION, turn));

        // then both are answered, and Workers AI received the call and its result each time
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(cloudflare.status()).as(cloudflare.toString()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            JsonNode messages = sent().path("messages");
            assertThat(messages.path(1).path("tool_calls").path(0).path("id").asText()).isEqualTo("call_7");
            assertThat(messages.path(2).path("tool_call_id").asText()).isEqualTo("call_7");
            assertThat(messages.path(2).path("name").asText()).isEqualTo("get_weather");
        }
    }

    @Test
    void malformedToolsAndAChoiceThatCannotBeHonouredAreRefusedOnEverySurfaceBeforeAnyHold() throws Exception {
        // given a funded user
        Funded user = funded("1");

        // when tools is an object, a list of strings, or tool_choice asks for a call Workers AI cannot be made to make
        List<String> bad = List.of("\"tools\":{\"type\":\"function\"},", "\"tools\":[\"get_weather\"],",
                "\"tool_choice\":\"required\",");
        List<Http.Answer> own = new ArrayList<>();
        List<Http.Answer> openAi = new ArrayList<>();
        List<Http.Answer> cloudflare = new ArrayList<>();
        for (String field : bad) {
            own.add(http.post("/api/ai/chat", user.token(), CHAT.replace("\"tools\":" + TOOLS + ",", field)));
            openAi.add(http.post("/v1/chat/completions", user.token(), CHAT.replace("\"tools\":" + TOOLS + ",", field)));
            cloudflare.add(http.post(RUN_PATH, user.token(), RUN.replace("\"tools\":" + TOOLS + ",", field)));
        }
        // and an assistant message's tool_calls is not a list
        String badCall = "\"messages\":[{\"role\":\"assistant\",\"tool_calls\":\"get_weather\"}]";
        own.add(http.post("/api/ai/chat", user.token(), CHAT.replace(QUESTION, badCall)));
        openAi.add(http.post("/v1/chat/completions", user.token(), CHAT.replace(QUESTION, badCall)));
        cloudflare.add(http.post(RUN_PATH, user.token(), RUN.replace(QUESTION, badCall)));
        // and a tool message names its function with a number
        String badName = "\"messages\":[{\"role\":\"tool\",\"name\":5,\"content\":\"21\"}]";
        own.add(http.post("/api/ai/chat", user.token(), CHAT.replace(QUESTION, badName)));
        openAi.add(http.post("/v1/chat/completions", user.token(), CHAT.replace(QUESTION, badName)));
        cloudflare.add(http.post(RUN_PATH, user.token(), RUN.replace(QUESTION, badName)));

        // then each is a 400 in its surface's own shape
        assertThat(own).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.errorCode()).isEqualTo("invalid_request");
        });
        assertThat(openAi).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
        });
        assertThat(openAi.stream().map(a -> a.body().path("error").path("param").asText()))
                .containsExactly("tools", "tools", "tool_choice", "messages", "messages");
        assertThat(cloudflare).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("success").asBoolean(true)).isFalse();
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(5006);
        });
        // and nothing reached Workers AI, and no money moved or was held
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void toolChoiceNoneSendsNoToolsAndAutoSendsThem() throws Exception {
        // given a funded user and a model that answers in text
        String token = funded("1").token();
        workersAi.enqueue(answersInText("Sunny."));
        workersAi.enqueue(answersInText("Sunny."));

        // when a chat says tool_choice "none", then another says "auto"
        Http.Answer none = http.post("/v1/chat/completions", token, leading(CHAT, "\"tool_choice\":\"none\","));
        Http.Answer auto = http.post("/v1/chat/completions", token, leading(CHAT, "\"tool_choice\":\"auto\","));

        // then the first reached Workers AI without tools, the second with them, and neither with tool_choice
        assertThat(none.status()).isEqualTo(200);
        assertThat(auto.status()).isEqualTo(200);
        JsonNode withheld = sent();
        JsonNode offered = sent();
        assertThat(withheld.has("tools")).isFalse();
        assertThat(offered.get("tools")).isEqualTo(Http.JSON.readTree(TOOLS));
        assertThat(withheld.has("tool_choice") || offered.has("tool_choice")).isFalse();
    }

    @Test
    void nOtherThanOneIsRefusedInOpenAisShapeAndOneIsServed() throws Exception {
        // given a funded user
        Funded user = funded("1");

        // when two choices, zero choices or n as text are asked for
        List<Http.Answer> refused = List.of(
                http.post("/v1/chat/completions", user.token(), leading(CHAT, "\"n\":2,")),
                http.post("/v1/chat/completions", user.token(), leading(CHAT, "\"n\":0,")),
                http.post("/v1/chat/completions", user.token(), leading(CHAT, "\"n\":\"1\",")));

        // then each is OpenAI's 400 naming n, before Workers AI or the ledger is touched
        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(answer.body().path("error").path("param").asText()).isEqualTo("n");
        });
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);

        // and n:1 is served as one choice
        workersAi.enqueue(answersInText("Sunny."));
        Http.Answer one = http.post("/v1/chat/completions", user.token(), leading(CHAT, "\"n\":1,"));
        assertThat(one.status()).as(one.toString()).isEqualTo(200);
        assertThat(one.body().path("choices")).hasSize(1);
    }

    @Test
    void theToolDefinitionsAreCountedInTheInputEstimate() throws Exception {
        // given a model that reports no usage, so the charge is Tollgate's own estimate of the input it was sent
        String token = funded("1").token();
        String noUsage = "{\"result\":{\"response\":\"Sunny.\",\"tool_calls\":[]},\"success\":true,\"errors\":[]}";
        workersAi.enqueue(json200(noUsage));
        workersAi.enqueue(json200(noUsage));

        // when the same question is asked without tools and with them
        Http.Answer without = http.post("/api/ai/chat", token, CHAT.replace("\"tools\":" + TOOLS + ",", ""));
        Http.Answer with = http.post("/api/ai/chat", token, CHAT);

        // then the tools' definitions count as input, as they do upstream, and so size the hold too
        long plain = without.body().path("usage").path("input_tokens").asLong();
        long offered = with.body().path("usage").path("input_tokens").asLong();
        assertThat(with.body().path("usage").path("source").asText()).isEqualTo("estimate");
        assertThat(offered - plain).isGreaterThanOrEqualTo(30);
    }

    @Test
    void anIdempotentRetryAnswersTheSameCallsWithoutASecondCallOrCharge() {
        // given a funded user and a model that calls the tool once per surface
        String token = funded("1").token();
        workersAi.enqueue(callsWeather());
        workersAi.enqueue(callsWeather());
        workersAi.enqueue(callsWeather());
        Map<String, String> openAiKey = Map.of("Idempotency-Key", "tools-openai-" + System.nanoTime());
        Map<String, String> ownKey = Map.of("Idempotency-Key", "tools-own-" + System.nanoTime());
        Map<String, String> streamKey = Map.of("Idempotency-Key", "tools-stream-" + System.nanoTime());
        String stream = leading(CHAT, "\"stream\":true,");
        int before = workersAi.getRequestCount();

        // when each is sent with its key, and then again
        Http.Answer first = http.post("/v1/chat/completions", token, CHAT, openAiKey);
        Http.Answer ownFirst = http.post("/api/ai/chat", token, CHAT, ownKey);
        Http.Answer streamFirst = http.post("/v1/chat/completions", token, stream, streamKey);
        BigDecimal charged = balance(token);
        Http.Answer retry = http.post("/v1/chat/completions", token, CHAT, openAiKey);
        Http.Answer ownRetry = http.post("/api/ai/chat", token, CHAT, ownKey);
        Http.Answer streamRetry = http.post("/v1/chat/completions", token, stream, streamKey);

        // then each retry names the same calls, with the same ids, and the provider was called once each
        JsonNode calls = first.body().path("choices").path(0).path("message").path("tool_calls");
        assertThat(calls.path(0).path("id").asText()).startsWith("call_");
        assertThat(retry.body().path("choices").path(0).path("message").path("tool_calls")).isEqualTo(calls);
        assertThat(ownRetry.body().path("tool_calls")).isEqualTo(ownFirst.body().path("tool_calls"));
        assertThat(streamedCalls(streamRetry)).isEqualTo(streamedCalls(streamFirst));
        assertThat(streamedCalls(streamFirst).path(0).path("id").asText()).startsWith("call_");
        // and the retries moved no money
        assertThat(workersAi.getRequestCount() - before).isEqualTo(3);
        assertThat(charged).isLessThan(BigDecimal.ONE);
        assertThat(balance(token)).isEqualByComparingTo(charged);
    }

    @Test
    void aStreamedCallIsRelayedWholeInEachSurfacesStreamForm() throws Exception {
        // given a funded user and a model that streams one call
        String token = funded("1").token();
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(streamsACall());
        }

        // when the chat is streamed on each surface
        String stream = "\"stream\":true,";
        Http.Answer openAi = http.post("/v1/chat/completions", token, leading(CHAT, stream));
        Http.Answer cloudflare = http.post(RUN_PATH, token, leading(RUN, stream));
        Http.Answer own = http.post("/api/ai/chat/stream", token, leading(CHAT, stream));

        // then each stream offered the tools upstream
        for (int i = 0; i < 3; i++) {
            JsonNode asked = sent();
            assertThat(asked.get("tools")).isEqualTo(Http.JSON.readTree(TOOLS));
            assertThat(asked.path("stream").asBoolean()).isTrue();
        }
        // and OpenAI's carries the call as delta.tool_calls with its index, then stops for it
        JsonNode call = streamedCalls(openAi).path(0);
        assertThat(call.path("index").asInt()).isEqualTo(0);
        assertThat(call.path("id").asText()).startsWith("call_");
        assertThat(call.path("function").path("name").asText()).isEqualTo("get_weather");
        assertThat(Http.JSON.readTree(call.path("function").path("arguments").asText()).path("city").asText())
                .isEqualTo("Paris");
        assertThat(finishReasons(openAi)).containsExactly("tool_calls");
        assertThat(openAi.raw()).contains("data: [DONE]");
        // and Cloudflare's passes the calls on as given, before its usage and [DONE]
        List<JsonNode> chunks = jsonEvents(cloudflare);
        assertThat(chunks).anySatisfy(chunk -> assertThat(chunk.path("tool_calls"))
                .isEqualTo(Http.JSON.readTree(WORKERS_AI_CALLS)));
        assertThat(cloudflare.raw()).contains("data: [DONE]");
        // and Tollgate's own names them in its closing chunk
        List<JsonNode> ownChunks = jsonEvents(own);
        JsonNode closing = ownChunks.get(ownChunks.size() - 1);
        assertThat(closing.has("usage")).isTrue();
        assertThat(closing.path("tool_calls").path(0).path("function").path("name").asText()).isEqualTo("get_weather");
    }

    /** {@code body} with {@code fields} (ending in a comma) put first. */
    private static String leading(String body, String fields) {
        return "{" + fields + body.substring(1);
    }

    /** The tool calls of an OpenAI stream's deltas. */
    private static JsonNode streamedCalls(Http.Answer stream) {
        for (JsonNode chunk : jsonEvents(stream)) {
            JsonNode calls = chunk.path("choices").path(0).path("delta").path("tool_calls");
            if (calls.isArray()) {
                return calls;
            }
        }
        return Http.JSON.createArrayNode();
    }

    private static List<String> finishReasons(Http.Answer stream) {
        List<String> reasons = new ArrayList<>();
        for (JsonNode chunk : jsonEvents(stream)) {
            JsonNode reason = chunk.path("choices").path(0).path("finish_reason");
            if (reason.isTextual()) {
                reasons.add(reason.asText());
            }
        }
        return reasons;
    }

    private static List<JsonNode> jsonEvents(Http.Answer stream) {
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : stream.raw().split("\n")) {
            if (line.startsWith("data: {")) {
                try {
                    chunks.add(Http.JSON.readTree(line.substring("data: ".length())));
                } catch (java.io.IOException notJson) {
                    throw new AssertionError(line, notJson);
                }
            }
        }
        return chunks;
    }

    /** The body of the next request Workers AI received. */
    private JsonNode sent() throws Exception {
        RecordedRequest request = workersAi.takeRequest(2, TimeUnit.SECONDS);
        assertThat(request).as("a request to Workers AI").isNotNull();
        return Http.JSON.readTree(request.getBody().readUtf8());
    }

    private BigDecimal balance(String token) {
        return new BigDecimal(http.get("/api/credits/balance", token).body().get("balance_usd").asText());
    }

    /** The user's balance is what was deposited, with nothing held. */
    private void assertUntouched(Funded user) {
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }
}
