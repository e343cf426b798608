package dev.tollgate.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import dev.tollgate.domain.metering.ProviderUsage;
import dev.tollgate.domain.metering.Sampling;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.tollgate.cloudflare.FakeWorkersAi.MODEL;
import static dev.tollgate.cloudflare.FakeWorkersAi.TOKEN;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.json;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(5)
class CloudflareWorkersAiChatTest {

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client();

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    static ChatRequest question(String temperature) {
        return new ChatRequest(MODEL, List.of(new ChatMessage("system", "You are a friendly assistant"),
                new ChatMessage("user", "Why is pizza so good")), 256, temperature);
    }

    @Test
    void theSamplingFieldsTheReferenceDocumentsTravelAsNumbersWithTheCallersDigits() throws Exception {
        // given a chat with every sampling field the reference lists beside temperature
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        values.put("top_p", new BigDecimal("0.90"));
        values.put("top_k", new BigDecimal("40"));
        values.put("seed", new BigDecimal("9876543210"));
        values.put("repetition_penalty", new BigDecimal("1.1"));
        values.put("frequency_penalty", new BigDecimal("-0.5"));
        values.put("presence_penalty", new BigDecimal("0.25"));
        ChatRequest chat = new ChatRequest(MODEL, List.of(new ChatMessage("user", "hi")), 64, "0.6",
                new Sampling(values));
        fake.answer(envelope("ok", usage(1, 1)));

        // when it is run
        workersAi.chat(chat);

        // then Workers AI receives each as the number the caller wrote
        String body = fake.takeRequest().getBody().readUtf8();
        assertThat(body).contains("\"top_p\":0.90", "\"top_k\":40", "\"seed\":9876543210",
                "\"repetition_penalty\":1.1", "\"frequency_penalty\":-0.5", "\"presence_penalty\":0.25",
                "\"temperature\":0.6");
    }

    @Test
    void anAnswerIsReadAsUtf8WithOrWithoutAByteOrderMark() throws Exception {
        // given answers in UTF-8 beyond ASCII, one declaring its charset and one opening with a byte order mark
        String text = "Pizza: crème fraîche, 🍕 und Käse";
        fake.answer(envelope(text, usage(3, 9)).setHeader("Content-Type", "application/json; charset=utf-8"));
        String plain = "{\"result\":{\"response\":\"ok\",\"usage\":" + usage(1, 1) + "},\"success\":true,"
                + "\"errors\":[],\"messages\":[]}";
        fake.answer(json(200, "\uFEFF" + plain));

        // when both are run
        ChatCompletion first = workersAi.chat(question(null));
        ChatCompletion second = workersAi.chat(question(null));

        // then each reads as sent
        assertThat(first.text()).isEqualTo(text);
        assertThat(first.usage().outputTokens()).isEqualTo(9);
        assertThat(second.text()).isEqualTo("ok");
    }

    @Test
    void aChatWithoutSamplingFieldsSendsNone() throws Exception {
        fake.answer(envelope("ok", usage(1, 1)));

        workersAi.chat(question(null));

        JsonNode body = FakeWorkersAi.bodyOf(fake.takeRequest());
        assertThat(body.fieldNames()).toIterable().containsExactlyInAnyOrder("messages", "max_tokens", "stream");
    }

    @Test
    void answerWithUsageCarriesCloudflaresTokenCounts() {
        fake.answer(envelope("Hello! How can I help you today?", usage(136, 10)));

        ChatCompletion completion = workersAi.chat(question(null));

        assertThat(completion.text()).isEqualTo("Hello! How can I help you today?");
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(136, 10));
    }

    @Test
    void answerWithoutUsageLeavesUsageNullSoTheCallerEstimates() {
        fake.answer(envelope("Hi", null));

        ChatCompletion completion = workersAi.chat(question(null));

        assertThat(completion.text()).isEqualTo("Hi");
        assertThat(completion.usage()).isNull();
    }

    @Test
    void requestKeepsTheModelUnescapedInThePathAndCarriesTheBearerToken() throws Exception {
        fake.answer(envelope("ok", usage(1, 1)));

        workersAi.chat(question("0.70"));

        RecordedRequest received = fake.takeRequest();
        assertThat(received.getMethod()).isEqualTo("POST");
        assertThat(received.getPath()).isEqualTo(FakeWorkersAi.RUN_PATH);
        assertThat(received.getPath()).contains("/ai/run/@cf/meta/llama-3.1-8b-instruct");
        assertThat(received.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        JsonNode body = FakeWorkersAi.bodyOf(received);
        assertThat(body.path("messages")).hasSize(2);
        assertThat(body.path("messages").path(1).path("role").asText()).isEqualTo("user");
        assertThat(body.path("messages").path(1).path("content").asText()).isEqualTo("Why is pizza so good");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
        assertThat(body.path("temperature").isNumber()).isTrue();
        assertThat(body.path("temperature").decimalValue()).isEqualByComparingTo("0.7");
        assertThat(body.path("stream").isBoolean()).isTrue();
        assertThat(body.path("stream").asBoolean()).isFalse();
    }

    @Test
    void temperatureIsLeftOutWhenTheClientGaveNone() throws Exception {
        fake.answer(envelope("ok", usage(1, 1)));

        workersAi.chat(question(null));

        assertThat(FakeWorkersAi.bodyOf(fake.takeRequest()).has("temperature")).isFalse();
    }

    @Test
    void okStatusWithABodyThatIsNotJsonIsAnUpstreamFailure() {
        fake.answer(new okhttp3.mockwebserver.MockResponse().setResponseCode(200).setBody("<html>gateway</html>"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamStatus()).isEqualTo(200);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void okStatusMarkedAsFailedIsAnUpstreamFailure() {
        fake.answer(json(200, "{\"errors\":[{\"message\":\"internal\",\"code\":9999}],\"success\":false}"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamCode()).isEqualTo(9999);
    }

    @Test
    void okStatusWithoutAResultIsAnUpstreamFailure() {
        fake.answer(json(200, "{\"success\":true,\"errors\":[],\"messages\":[]}"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
    }

    @Test
    void modelIdThatCouldClimbOutOfTheRunPathIsRefusedBeforeAnyRequest() {
        ChatRequest sneaky = new ChatRequest("../../../user/tokens/verify",
                List.of(new ChatMessage("user", "hi")), 16, null);

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(sneaky), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.BAD_INPUT);
        assertThat(fake.server.getRequestCount()).isZero();
    }

    @Test
    void temperatureThatIsNotADecimalIsBadInput() {
        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question("warm")),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.BAD_INPUT);
        assertThat(fake.server.getRequestCount()).isZero();
    }

    @Test
    void unreachableWorkersAiIsAnUpstreamFailureWithoutStatus() throws IOException {
        CloudflareSettings settings = fake.settings().withMaxRetries(0);
        fake.close();

        try (CloudflareWorkersAi closedDoor = fake.client(settings)) {
            ProviderException failure = catchThrowableOfType(() -> closedDoor.chat(question(null)),
                    ProviderException.class);

            assertThat(failure.kind()).isIn(Kind.UPSTREAM, Kind.TIMEOUT);
            assertThat(failure.upstreamStatus()).isZero();
            assertThat(failure.getMessage()).doesNotContain(TOKEN);
        }
    }

    @Test
    void providerNameSaysCloudflare() {
        assertThat(workersAi.name()).isEqualTo("cloudflare");
    }
}
