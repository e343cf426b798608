package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.EmbeddingVector;
import static dev.tollgate.cloudflare.FakeWorkersAi.ACCOUNT;
import static dev.tollgate.cloudflare.FakeWorkersAi.TOKEN;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageOptions;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import dev.tollgate.domain.metering.ProviderUsage;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.VisionChatRequest;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Embeddings, images, speech and vision against a fake that speaks the Workers AI reference's formats. */
@Timeout(5)
class CloudflareWorkersAiMediaTest {
    static final String BGE = "@cf/baai/bge-base-en-v1.5";
    static final String FLUX = "@cf/black-forest-labs/flux-1-schnell";
    static final String SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0";

    private static float[] floats(EmbeddingVector vector) {
        java.nio.FloatBuffer numbers = java.nio.ByteBuffer.wrap(vector.binary32())
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[numbers.remaining()];
        numbers.get(values);
        return values;
    }
    static final String WHISPER = "@cf/openai/whisper";
    static final String VISION = "@cf/meta/llama-3.2-11b-vision-instruct";
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
            0, 0, 4, 0, 0, 0, 4, 0, 8, 6, 0, 0, 0};

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client(fake.settings().withMaxRetries(1));

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    private static String path(String model) {
        return "/client/v4/accounts/" + ACCOUNT + "/ai/run/" + model;
    }

    @Test
    void embeddingsSendTheTextsAndReadOneVectorPerText() throws Exception {
        fake.answer(json(200, "{\"result\":{\"shape\":[2,3],\"data\":[[0.1,-0.2,0.3],[1,0,-1]]},"
                + "\"success\":true,\"errors\":[],\"messages\":[]}"));

        Embeddings embeddings = workersAi.embed(new EmbeddingRequest(BGE, List.of("hello", "world")));

        assertThat(embeddings.vectors()).hasSize(2);
        assertThat(floats(embeddings.vectors().get(0))).containsExactly(0.1f, -0.2f, 0.3f);
        assertThat(floats(embeddings.vectors().get(1))).containsExactly(1f, 0f, -1f);
        assertThat(embeddings.usage()).as("bge reports no usage").isNull();
        RecordedRequest sent = fake.takeRequest();
        assertThat(sent.getPath()).isEqualTo(path(BGE));
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        JsonNode body = FakeWorkersAi.bodyOf(sent);
        assertThat(body.path("text").isArray()).isTrue();
        assertThat(body.path("text").get(0).asText()).isEqualTo("hello");
        assertThat(body.path("text").get(1).asText()).isEqualTo("world");
        assertThat(body.has("pooling")).as("the model's default pooling, unless chosen").isFalse();
    }

    @Test
    void embeddingsSendThePoolingTheCallerChose() throws Exception {
        fake.answer(json(200, "{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]]},\"success\":true,\"errors\":[]}"));

        workersAi.embed(new EmbeddingRequest(BGE, List.of("hello"), "cls"));

        assertThat(FakeWorkersAi.bodyOf(fake.takeRequest()).path("pooling").asText()).isEqualTo("cls");
    }

    @Test
    void embeddingsKeepTheUsageWhenAModelReportsIt() {
        fake.answer(json(200, "{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]],\"usage\":{\"prompt_tokens\":7,"
                + "\"total_tokens\":7}},\"success\":true,\"errors\":[],\"messages\":[]}"));

        Embeddings embeddings = workersAi.embed(new EmbeddingRequest(BGE, List.of("hello")));

        assertThat(embeddings.usage()).isEqualTo(new ProviderUsage(7, 0));
    }

    @Test
    void embeddingsThatDoNotMatchTheTextsAreAnUpstreamFailure() {
        fake.answer(json(200, "{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]]},\"success\":true,\"errors\":[]}"));

        ProviderException failure = catchThrowableOfType(
                () -> workersAi.embed(new EmbeddingRequest(BGE, List.of("a", "b"))), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void fluxSendsPromptAndStepsAndItsBase64ImageIsDecoded() throws Exception {
        fake.answer(json(200, "{\"result\":{\"image\":\"" + Base64.getEncoder().encodeToString(PNG)
                + "\"},\"success\":true,\"errors\":[],\"messages\":[]}"));

        GeneratedImage image = workersAi.generateImage(new ImageRequest(FLUX, "a cat in a hat", 4));

        assertThat(image.bytes()).isEqualTo(PNG);
        assertThat(image.contentType()).isEqualTo("image/png");
        RecordedRequest sent = fake.takeRequest();
        assertThat(sent.getPath()).isEqualTo(path(FLUX));
        JsonNode body = FakeWorkersAi.bodyOf(sent);
        assertThat(body.path("prompt").asText()).isEqualTo("a cat in a hat");
        assertThat(body.path("steps").asInt()).isEqualTo(4);
    }

    @Test
    void sdxlAnswersWithRawPngBytesAndNoEnvelope() throws Exception {
        fake.answer(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new Buffer().write(PNG)));

        GeneratedImage image = workersAi.generateImage(new ImageRequest(SDXL, "a lighthouse", 20));

        assertThat(image.bytes()).isEqualTo(PNG);
        assertThat(image.contentType()).isEqualTo("image/png");
        JsonNode body = FakeWorkersAi.bodyOf(fake.takeRequest());
        assertThat(body.path("num_steps").asInt()).isEqualTo(20);
        assertThat(body.has("width") || body.has("seed") || body.has("guidance")).isFalse();
    }

    @Test
    void sdxlSendsWhatTheCallerChoseAsWorkersAiNamesIt() throws Exception {
        fake.answer(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new Buffer().write(PNG)));

        workersAi.generateImage(new ImageRequest(SDXL, "a lighthouse", 10,
                new ImageOptions("fog", 2048, 512, "7.5", 42L)));

        JsonNode body = FakeWorkersAi.bodyOf(fake.takeRequest());
        assertThat(body.path("negative_prompt").asText()).isEqualTo("fog");
        assertThat(body.path("width").asInt()).isEqualTo(2048);
        assertThat(body.path("height").asInt()).isEqualTo(512);
        assertThat(body.path("guidance").toString()).isEqualTo("7.5");
        assertThat(body.path("seed").asLong()).isEqualTo(42);
    }

    @Test
    void anImageResultThatIsNotBase64IsAnUpstreamFailure() {
        fake.answer(json(200, "{\"result\":{\"image\":\"***not base64***\"},\"success\":true,\"errors\":[]}"));

        ProviderException failure = catchThrowableOfType(
                () -> workersAi.generateImage(new ImageRequest(FLUX, "x", 4)), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
    }

    @Test
    void whisperGetsTheRecordingAsTheBodyAndItsWordsAreRead() throws Exception {
        fake.answer(json(200, "{\"result\":{\"text\":\"Hello world\",\"word_count\":2,\"words\":["
                + "{\"word\":\"Hello\",\"start\":0,\"end\":0.5},{\"word\":\"world\",\"start\":0.6,\"end\":1.25}],"
                + "\"vtt\":\"WEBVTT\\n\\n00:00.000 --> 00:01.250\\nHello world\"},\"success\":true,\"errors\":[],"
                + "\"messages\":[]}"));
        byte[] audio = {'I', 'D', '3', 4, 0, 0, 1, 2, 3};

        Transcription heard = workersAi.transcribe(new TranscriptionRequest(WHISPER, audio));

        assertThat(heard.text()).isEqualTo("Hello world");
        assertThat(heard.wordCount()).isEqualTo(2);
        assertThat(heard.words()).extracting(Transcription.Word::end).containsExactly("0.5", "1.25");
        assertThat(heard.vtt()).startsWith("WEBVTT");
        RecordedRequest sent = fake.takeRequest();
        assertThat(sent.getPath()).isEqualTo(path(WHISPER));
        assertThat(sent.getBody().readByteArray()).isEqualTo(audio);
        assertThat(sent.getHeader("Content-Type")).startsWith("application/octet-stream");
    }

    @Test
    void visionSendsTheImageAsAnArrayOfByteValues() throws Exception {
        fake.answer(FakeWorkersAi.envelope("A red square.", FakeWorkersAi.usage(1620, 5)));
        ChatRequest chat = new ChatRequest(VISION, List.of(new ChatMessage("user", "What is this?")), 64, null);

        ChatCompletion answer = workersAi.visionChat(new VisionChatRequest(chat, new byte[] {(byte) 0xFF, 0, 7}));

        assertThat(answer.text()).isEqualTo("A red square.");
        assertThat(answer.usage()).isEqualTo(new ProviderUsage(1620, 5));
        JsonNode body = FakeWorkersAi.bodyOf(fake.takeRequest());
        assertThat(body.path("image").toString()).isEqualTo("[255,0,7]");
        assertThat(body.path("messages").get(0).path("content").asText()).isEqualTo("What is this?");
        assertThat(body.path("max_tokens").asInt()).isEqualTo(64);
    }

    static Stream<Arguments> everyMediaCall() {
        ChatRequest chat = new ChatRequest(VISION, List.of(new ChatMessage("user", "hi")), 16, null);
        return Stream.of(
                Arguments.of("embeddings", (Function<CloudflareWorkersAi, Object>)
                        ai -> ai.embed(new EmbeddingRequest(BGE, List.of("x")))),
                Arguments.of("image", (Function<CloudflareWorkersAi, Object>)
                        ai -> ai.generateImage(new ImageRequest(FLUX, "x", 4))),
                Arguments.of("speech", (Function<CloudflareWorkersAi, Object>)
                        ai -> ai.transcribe(new TranscriptionRequest(WHISPER, new byte[] {1, 2}))),
                Arguments.of("vision", (Function<CloudflareWorkersAi, Object>)
                        ai -> ai.visionChat(new VisionChatRequest(chat, new byte[] {1}))));
    }

    /** Every row of the reference's error table, for every media call. */
    static Stream<Arguments> errorsForEveryCall() {
        Object[][] table = {
                {400, 5006, Kind.BAD_INPUT, false}, {400, 5007, Kind.MODEL_NOT_FOUND, false},
                {400, 5004, Kind.BAD_INPUT, false}, {400, 3003, Kind.BAD_INPUT, false},
                {401, 10000, Kind.AUTHENTICATION, false}, {403, 10000, Kind.AUTHENTICATION, false},
                {403, 5016, Kind.UPSTREAM, false}, {403, 3023, Kind.UPSTREAM, false},
                {404, 3042, Kind.MODEL_NOT_FOUND, false}, {404, 7003, Kind.UPSTREAM, false},
                {408, 3007, Kind.TIMEOUT, true}, {408, 3008, Kind.TIMEOUT, true},
                {413, 3006, Kind.TOO_LARGE, false}, {429, 3021, Kind.RATE_LIMITED, true},
                {429, 3036, Kind.RATE_LIMITED, false}, {429, 4006, Kind.RATE_LIMITED, false},
                {429, 3040, Kind.RATE_LIMITED, true}, {500, null, Kind.UPSTREAM, true},
                {503, 1000, Kind.UPSTREAM, true}};
        return everyMediaCall().flatMap(call -> Stream.of(table).map(row -> Arguments.of(call.get()[0],
                call.get()[1], row[0], row[1], row[2], row[3])));
    }

    @ParameterizedTest(name = "{0}: HTTP {2} code {3} -> {4}, retried: {5}")
    @MethodSource("errorsForEveryCall")
    void cloudflareErrorsAreClassifiedAlikeForEveryMediaCall(String name, Function<CloudflareWorkersAi, Object> call,
                                                            int status, Integer code, Kind kind, boolean retried) {
        fake.answer(error(status, code, "AiError: something about " + status));
        fake.answer(error(status, code, "AiError: something about " + status));

        ProviderException failure = catchThrowableOfType(() -> call.apply(workersAi), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.upstreamStatus()).isEqualTo(status);
        assertThat(failure.upstreamCode()).isEqualTo(code);
        assertThat(failure.producedOutput()).isFalse();
        assertThat(fake.server.getRequestCount()).isEqualTo(retried ? 2 : 1);
        assertThat(failure.getMessage()).doesNotContain(TOKEN);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMediaCall")
    void anOkStatusWithABodyThatIsNotJsonIsAnUpstreamFailure(String name, Function<CloudflareWorkersAi, Object> call) {
        fake.answer(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/html")
                .setBody("<html>gateway</html>"));

        ProviderException failure = catchThrowableOfType(() -> call.apply(workersAi), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamStatus()).isEqualTo(200);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyMediaCall")
    void anOkStatusMarkedAsFailedIsAnUpstreamFailure(String name, Function<CloudflareWorkersAi, Object> call) {
        fake.answer(json(200, "{\"errors\":[{\"message\":\"internal\",\"code\":9999}],\"success\":false}"));

        ProviderException failure = catchThrowableOfType(() -> call.apply(workersAi), ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamCode()).isEqualTo(9999);
    }
}
