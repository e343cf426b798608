package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The official OpenAI Java SDK, unchanged but for its base URL and key, against Tollgate's drop-in surface. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenAiSdkDropInTest {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";

    private RunningTollgate app;
    private String userToken;
    private OpenAIClient client;
    private String baseUrl;

    @BeforeAll
    void start() {
        app = RunningTollgate.start(Storage.embedded(Storage.tempDir()));
        Http http = app.http;
        String id = http.post("/api/auth/register", null, json("email", "sdk@example.com", "password", "sdk-password"))
                .body().get("id").asText();
        userToken = http.post("/api/auth/login", null, json("email", "sdk@example.com", "password", "sdk-password"))
                .body().get("access_token").asText();
        String admin = http.post("/api/auth/login", null,
                json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                .body().get("access_token").asText();
        http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "1"));
        String key = http.post("/api/auth/api-keys", userToken, json("name", "sdk")).body().get("key").asText();
        baseUrl = app.baseUrl() + "/v1";
        client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(baseUrl).maxRetries(0).build();
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void aChatCompletionIsAnsweredAndChargedWithTheProvidersUsage() {
        BigDecimal before = balance();

        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Why is pizza so good?").maxCompletionTokens(40).build());

        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).hasValueSatisfying(
                text -> assertThat(text).startsWith("[offline]"));
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isPositive();
        assertThat(usage.completionTokens()).isPositive().isLessThanOrEqualTo(40);
        BigDecimal cost = BigDecimal.valueOf(usage.promptTokens() * 282_000_000L + usage.completionTokens() * 827_000_000L)
                .divide(BigDecimal.valueOf(1_000_000), 0, java.math.RoundingMode.CEILING).movePointLeft(9);
        assertThat(before.subtract(balance())).isEqualByComparingTo(cost);
    }

    @Test
    void aStreamedCompletionDeliversTextThenUsage() {
        BigDecimal before = balance();
        List<String> pieces = new ArrayList<>();
        List<CompletionUsage> usages = new ArrayList<>();
        List<Boolean> namesTheRole = new ArrayList<>();

        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("Tell me a story")
                        .maxCompletionTokens(30)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(piece -> {
                    pieces.add(piece);
                    namesTheRole.add(choice.delta().role().isPresent());
                }));
                chunk.usage().ifPresent(usages::add);
            });
        }

        assertThat(pieces).hasSizeGreaterThan(1);
        // as OpenAI streams it: the first piece names the assistant's role, the others only carry text
        assertThat(namesTheRole.get(0)).isTrue();
        assertThat(namesTheRole.subList(1, namesTheRole.size())).containsOnly(false);
        assertThat(String.join("", pieces)).startsWith("[offline]");
        assertThat(usages).hasSize(1);
        assertThat(usages.get(0).completionTokens()).isPositive();
        assertThat(before.subtract(balance())).isPositive();
        assertThat(new BigDecimal(app.http.get("/api/credits/balance", userToken).body().get("held_usd").asText()))
                .isZero();
    }

    @Test
    void aCompletionCutShortByItsTokenLimitSaysSo() {
        // when the SDK allows fewer tokens than the answer needs
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Why is pizza so good?").maxCompletionTokens(5).build());

        // then the answer stops at the limit and says why, as OpenAI's does
        assertThat(completion.usage().orElseThrow().completionTokens()).isPositive().isLessThanOrEqualTo(5);
        assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    }

    @Test
    void aChatWithToolsIsAnsweredOfflineInTextSinceTheOfflineProviderCallsNoFunction() {
        // given a tool, offered where no Cloudflare credentials are set
        ChatCompletionFunctionTool weather = ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder()
                .name("get_weather").parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object")).build()).build()).build();

        // when the SDK asks with it
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL).addUserMessage("Weather in Paris?").addTool(weather).maxCompletionTokens(200).build());

        // then the offline provider answers in text, as it does without tools, and asks for no call
        ChatCompletion.Choice choice = completion.choices().get(0);
        assertThat(choice.message().content()).hasValueSatisfying(text -> assertThat(text).startsWith("[offline]"));
        assertThat(choice.message().toolCalls().orElse(List.of())).isEmpty();
        assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void modelsAreListed() {
        assertThat(client.models().list().data()).anySatisfy(model -> assertThat(model.id()).isEqualTo(MODEL));
    }

    @Test
    void oneModelIsRetrievedByItsIdAndAnUnknownOneIsNotFound() {
        // The SDK URL-encodes the id's slashes; the raw form must work as well.
        assertThat(client.models().retrieve(MODEL).id()).isEqualTo(MODEL);
        assertThat(app.http.get("/v1/models/" + MODEL, userToken).body().get("id").asText()).isEqualTo(MODEL);

        assertThatThrownBy(() -> client.models().retrieve("@cf/nobody/no-such-model"))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void theCloudflareModelSearchPagesThroughTheCatalogueInCloudflaresEnvelope() {
        Http.Answer all = app.http.get("/client/v4/accounts/any/ai/models/search?per_page=1000", userToken);
        Http.Answer embeddings = app.http.get(
                "/client/v4/accounts/any/ai/models/search?task=Text%20Embeddings&per_page=2&page=2", userToken);
        Http.Answer found = app.http.get("/client/v4/accounts/any/ai/models/search?search=llama-3.1-8b", userToken);
        Http.Answer badPage = app.http.get("/client/v4/accounts/any/ai/models/search?page=0", userToken);
        Http.Answer unauthenticated = app.http.get("/client/v4/accounts/any/ai/models/search", null);

        int total = all.body().get("result_info").get("total_count").asInt();
        assertThat(all.body().get("success").asBoolean()).isTrue();
        assertThat(all.body().get("result").size()).isEqualTo(total).isEqualTo(
                client.models().list().data().size());
        assertThat(embeddings.body().get("result")).hasSize(2).allSatisfy(model ->
                assertThat(model.get("task").get("name").asText()).isEqualTo("Text Embeddings"));
        assertThat(embeddings.body().get("result_info").get("page").asInt()).isEqualTo(2);
        assertThat(found.body().get("result")).isNotEmpty().allSatisfy(model ->
                assertThat(model.get("name").asText()).contains("llama-3.1-8b"));
        JsonNode priced = found.body().get("result").get(0);
        assertThat(priced.get("x_tollgate").get("input_usd_per_m").asText()).isEqualTo("0.282");
        assertThat(badPage.status()).isEqualTo(400);
        assertThat(badPage.body().get("success").asBoolean()).isFalse();
        assertThat(unauthenticated.status()).isEqualTo(401);
    }

    @Test
    void anUnknownModelAndABadKeyAreTheSdksUsualErrors() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("@cf/nobody/no-such-model").addUserMessage("hi").build()))
                .isInstanceOf(NotFoundException.class);
        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().apiKey("tg_wrong_key").baseUrl(baseUrl).maxRetries(0)
                .build();
        assertThatThrownBy(() -> wrongKey.models().list()).isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void theCloudflareRunPathAcceptsRawAndEncodedModelIdsInCloudflaresEnvelope() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good\"}],\"max_tokens\":20}";
        BigDecimal before = balance();

        Http.Answer raw = app.http.post("/client/v4/accounts/any-account/ai/run/" + MODEL, userToken, body);
        Http.Answer encoded = app.http.post("/client/v4/accounts/any-account/ai/run/@cf%2Fmeta%2Fllama-3.1-8b-instruct",
                userToken, body);
        Http.Answer unauthenticated = app.http.post("/client/v4/accounts/x/ai/run/" + MODEL, null, body);
        Http.Answer unknown = app.http.post("/client/v4/accounts/x/ai/run/@cf/nobody/nothing", userToken, body);

        for (Http.Answer ok : List.of(raw, encoded)) {
            assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
            assertThat(ok.body().get("success").asBoolean()).isTrue();
            assertThat(ok.body().get("result").get("response").asText()).startsWith("[offline]");
            assertThat(ok.body().get("result").get("usage").get("prompt_tokens").asLong()).isPositive();
        }
        assertThat(before.subtract(balance())).isPositive();
        assertThat(unauthenticated.status()).isEqualTo(401);
        assertThat(unauthenticated.body().get("success").asBoolean()).isFalse();
        assertThat(unauthenticated.body().get("errors").get(0).get("code").asInt()).isEqualTo(10000);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("errors").get(0).get("code").asInt()).isEqualTo(5007);
    }

    private BigDecimal balance() {
        return new BigDecimal(app.http.get("/api/credits/balance", userToken).body().get("balance_usd").asText());
    }
}
