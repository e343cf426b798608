package dev.tollgate.web.e2e;

import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;

/**
 * Embeddings, images, speech and vision against a fake Workers AI on 127.0.0.1 that speaks Cloudflare's formats:
 * each call moves the balance by exactly its cost and leaves nothing held, a call the balance cannot cover never
 * reaches the provider, an unknown model is refused before any hold, and an upstream failure releases the hold.
 */
class MeteredMediaGatewayTest extends BehindFakeWorkersAi {
    private static final String BGE = "@cf/baai/bge-base-en-v1.5";
    private static final String FLUX = "@cf/black-forest-labs/flux-1-schnell";
    private static final String SDXL = "@cf/stabilityai/stable-diffusion-xl-base-1.0";
    private static final String VISION = "@cf/meta/llama-3.2-11b-vision-instruct";
    private static final String EMBED = "{\"model\":\"" + BGE + "\",\"input\":[\"first text\",\"second text\"]}";
    private static final String IMAGE = "{\"model\":\"" + FLUX + "\",\"prompt\":\"a lighthouse at dusk\"}";
    private static final String VISION_CHAT = "{\"model\":\"" + VISION + "\",\"max_tokens\":64,\"image\":\""
            + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFF, 0, 7}) + "\","
            + "\"messages\":[{\"role\":\"user\",\"content\":\"What is in this picture?\"}]}";


    @Test
    void embeddingsWithoutReportedUsageAreChargedOnTheFlaggedEstimateToTheNanoDollar() throws Exception {
        // given a funded user and a bge model that answers two vectors and, as bge does, no usage
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"shape\":[2,3],\"data\":[[0.1,0.2,0.3],[0.4,0.5,0.6]]},"
                + "\"success\":true,\"errors\":[],\"messages\":[]}"));

        // when the user embeds two texts
        Http.Answer answer = http.post("/api/ai/embeddings", user.token(), EMBED);

        // then the vectors come back with the charge, which is Tollgate's estimate at bge-base's price, rounded up
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode body = answer.body();
        assertThat(body.get("request_id").asText()).isNotBlank();
        assertThat(body.get("model").asText()).isEqualTo(BGE);
        assertThat(body.get("provider").asText()).isEqualTo("cloudflare");
        assertThat(body.get("data")).hasSize(2);
        assertThat(body.get("data").get(1).get("index").asInt()).isEqualTo(1);
        assertThat(body.get("data").get(1).get("embedding").get(2).decimalValue()).isEqualByComparingTo("0.6");
        assertThat(body.get("usage").get("source").asText()).isEqualTo("estimate");
        long input = body.get("usage").get("input_tokens").asLong();
        assertThat(input).isPositive();
        assertThat(new BigDecimal(body.get("cost_usd").asText())).isEqualByComparingTo(ceilNanos(input * 67_000_000L));
        assertExactlyCharged(user, "1", body);
        RecordedRequest sent = workersAi.takeRequest(1, TimeUnit.SECONDS);
        assertThat(sent.getPath()).isEqualTo("/client/v4/accounts/test-account/ai/run/" + BGE);
        assertThat(Http.JSON.readTree(sent.getBody().readUtf8()).get("text").toString())
                .isEqualTo("[\"first text\",\"second text\"]");
    }

    @Test
    void embeddingsWithReportedUsageAreChargedOnTheProvidersCount() {
        Funded user = funded("1");

        Http.Answer answer = embedHello(user, "{\"prompt_tokens\":7}");

        // 7 × 67,000,000 / 1,000,000 = 469 nano-USD
        assertThat(answer.body().get("usage").get("source").asText()).isEqualTo("provider");
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.000000469");
        assertExactlyCharged(user, "1", answer.body());
    }

    @Test
    void aChargeAboveWhatTheBalanceCouldGiveSaysSoInTheHistory() {
        // given a user with 1,000 nano-USD, and bge reporting 100 tokens for one short text (6,700 nano-USD)
        Funded user = funded("0.000001");

        // when the text is embedded
        Http.Answer answer = embedHello(user, "{\"prompt_tokens\":100}");

        // then the balance gave all it had and no more (ADR 7)
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.000001");
        assertThat(balanceOf(user)).isEqualByComparingTo("0");
        // and the history's line explains the amount: what the units cost, and that only the balance was collected
        JsonNode charge = http.get("/api/credits/transactions?limit=1", user.token()).body().get("items").get(0);
        assertThat(charge.get("amount_usd").asText()).isEqualTo("-0.000001");
        assertThat(charge.get("description").asText())
                .isEqualTo("100 input + 0 output tokens (provider); cost 0.0000067, of which only 0.000001 was available");
    }

    @Test
    void embeddingsWhoseReportedUsageCannotBePricedAreChargedOnTollgatesCount() {
        // given bge reports 2^62 prompt tokens for one short text, a count whose cost no ledger amount can hold
        Funded user = funded("1");

        // when the text is embedded
        Http.Answer answer = embedHello(user, "{\"prompt_tokens\":4611686018427387904}");

        // then the call is answered and settled on the estimate, which it names, with nothing left held
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("usage").get("source").asText()).isEqualTo("estimate");
        assertExactlyCharged(user, "1", answer.body());
    }

    @Test
    void aFluxImageIsChargedForTheTilesOfThePictureReturnedAndTheSteps() throws Exception {
        // given flux answers a 1024×1024 PNG in base64, as the reference documents
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"image\":\"" + Base64.getEncoder().encodeToString(png(1024, 1024))
                + "\"},\"success\":true,\"errors\":[],\"messages\":[]}"));

        Http.Answer answer = http.post("/api/ai/generate-image", user.token(), IMAGE);

        // then 4 tiles × 52,800 + 4 steps × 105,600 = 633,600 nano-USD
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(Base64.getDecoder().decode(answer.body().get("image").asText())).isEqualTo(png(1024, 1024));
        assertThat(answer.body().get("content_type").asText()).isEqualTo("image/png");
        assertThat(answer.body().get("usage").get("image_tiles").asLong()).isEqualTo(4);
        assertThat(answer.body().get("usage").get("steps").asLong()).isEqualTo(4);
        assertThat(answer.body().get("usage").get("source").asText()).isEqualTo("provider");
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.0006336");
        assertExactlyCharged(user, "1", answer.body());
        JsonNode charge = http.get("/api/credits/transactions?limit=1", user.token()).body().get("items").get(0);
        assertThat(charge.get("amount_usd").asText()).isEqualTo("-0.0006336");
        assertThat(charge.get("model").asText()).isEqualTo(FLUX);
        assertThat(charge.get("description").asText()).isEqualTo("4 image_tile + 4 step (provider)");
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("prompt").asText()).isEqualTo("a lighthouse at dusk");
        assertThat(sent.get("steps").asInt()).isEqualTo(4);
    }

    @Test
    void anSdxlImageArrivesAsRawPngBytesAndIsChargedTheSameWay() {
        Funded user = funded("1");
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new Buffer().write(png(512, 512))));

        Http.Answer answer = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"" + SDXL + "\",\"prompt\":\"a fox\",\"steps\":10}");

        // 1 tile × 52,800 + 10 steps × 105,600 = 1,108,800 nano-USD
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("usage").get("image_tiles").asLong()).isEqualTo(1);
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.0011088");
        assertExactlyCharged(user, "1", answer.body());
    }

    @Test
    void aWavRecordingIsChargedForItsExactLengthPerAudioMinute() throws Exception {
        // given three seconds of 16 kHz mono 16-bit audio, sent as the raw body
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"text\":\"Hello there\",\"word_count\":2,\"words\":["
                + "{\"word\":\"Hello\",\"start\":0.1,\"end\":0.6},{\"word\":\"there\",\"start\":0.7,\"end\":1.2}],"
                + "\"vtt\":\"WEBVTT\"},\"success\":true,\"errors\":[],\"messages\":[]}"));
        byte[] wav = wav(16_000, 96_000);

        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(app.baseUrl() + "/api/ai/transcribe"))
                .header("Authorization", "Bearer " + user.token()).header("Content-Type", "audio/wav")
                .POST(HttpRequest.BodyPublishers.ofByteArray(wav)).build(), HttpResponse.BodyHandlers.ofString());

        // then 3,000 ms × 500,000 / 60,000 = 25,000 nano-USD, flagged as Tollgate's measure
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
        JsonNode body = Http.JSON.readTree(raw.body());
        assertThat(body.get("text").asText()).isEqualTo("Hello there");
        assertThat(body.get("words").get(1).get("end").decimalValue()).isEqualByComparingTo("1.2");
        assertThat(body.get("usage").get("audio_seconds").asText()).isEqualTo("3.000");
        assertThat(body.get("usage").get("source").asText()).isEqualTo("estimate");
        assertThat(body.get("cost_usd").asText()).isEqualTo("0.000025");
        assertExactlyCharged(user, "1", body);
        RecordedRequest sent = workersAi.takeRequest(1, TimeUnit.SECONDS);
        assertThat(sent.getPath()).endsWith("/ai/run/@cf/openai/whisper");
        assertThat(sent.getBody().readByteArray()).isEqualTo(wav);
    }

    @Test
    void aRecordingOfUnknownFormatIsChargedToTheLastWordHeard() {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"text\":\"Hi\",\"word_count\":1,\"words\":[{\"word\":\"Hi\","
                + "\"start\":0.0,\"end\":90.0}]},\"success\":true,\"errors\":[]}"));

        Http.Answer answer = http.post("/api/ai/transcribe", user.token(),
                json("audio", Base64.getEncoder().encodeToString(new byte[4_000])));

        // 90,000 ms × 500,000 / 60,000 = 750,000 nano-USD, and the word's times are written plainly, not as 9E+1
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.raw()).contains("\"end\":90").doesNotContain("E+");
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.00075");
        assertExactlyCharged(user, "1", answer.body());
    }

    @Test
    void aVisionChatIsChargedOnTheProvidersTokens() throws Exception {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"A lighthouse.\",\"usage\":{\"prompt_tokens\":1620,"
                + "\"completion_tokens\":5,\"total_tokens\":1625}},\"success\":true,\"errors\":[],\"messages\":[]}"));

        Http.Answer answer = http.post("/api/ai/vision-chat", user.token(), VISION_CHAT);

        // (1,620 × 49,000,000 + 5 × 676,000,000) / 1,000,000 = 79,380 + 3,380 = 82,760 nano-USD
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("response").asText()).isEqualTo("A lighthouse.");
        assertThat(answer.body().get("usage").get("source").asText()).isEqualTo("provider");
        assertThat(answer.body().get("cost_usd").asText()).isEqualTo("0.00008276");
        assertExactlyCharged(user, "1", answer.body());
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("image").toString()).isEqualTo("[255,0,7]");
    }

    @Test
    void theOpenAiSdkEmbedsThroughTollgateAndIsChargedExactly() {
        // given the official SDK pointed at Tollgate, which asks for base64 vectors unless told otherwise
        Funded user = funded("1");
        String key = http.post("/api/auth/api-keys", user.token(), json("name", "sdk")).body().get("key").asText();
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(app.baseUrl() + "/v1").maxRetries(0)
                .build();
        workersAi.enqueue(json200("{\"result\":{\"shape\":[2,3],\"data\":[[0.25,-0.5,1.0],[0.0,0.125,-1.0]]},"
                + "\"success\":true,\"errors\":[]}"));
        workersAi.enqueue(json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.75,-0.25]]},\"success\":true}"));

        // when it embeds two texts, once in the SDK's default encoding and once as floats
        CreateEmbeddingResponse base64 = client.embeddings().create(EmbeddingCreateParams.builder().model(BGE)
                .inputOfArrayOfStrings(List.of("alpha", "beta")).build());
        CreateEmbeddingResponse floats = client.embeddings().create(EmbeddingCreateParams.builder().model(BGE)
                .input("gamma").encodingFormat(EmbeddingCreateParams.EncodingFormat.FLOAT).build());

        // then the SDK reads OpenAI's list of embeddings, and the balance moved by the tokens it was told about
        assertThat(base64.data()).hasSize(2);
        assertThat(base64.data().get(0).embedding()).containsExactly(0.25f, -0.5f, 1.0f);
        assertThat(base64.data().get(1).index()).isEqualTo(1);
        assertThat(base64.data().get(1).embedding()).containsExactly(0.0f, 0.125f, -1.0f);
        assertThat(floats.data().get(0).embedding()).containsExactly(0.75f, -0.25f);
        assertThat(base64.model()).isEqualTo(BGE);
        long tokens = base64.usage().promptTokens() + floats.usage().promptTokens();
        assertThat(base64.usage().totalTokens()).isEqualTo(base64.usage().promptTokens());
        BigDecimal expected = ceilNanos(base64.usage().promptTokens() * 67_000_000L)
                .add(ceilNanos(floats.usage().promptTokens() * 67_000_000L));
        assertThat(tokens).isPositive();
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo(expected);
    }

    @Test
    void theCloudflareRunPathServesBgeInCloudflaresEnvelope() {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.5,-0.5]]},\"success\":true,"
                + "\"errors\":[],\"messages\":[]}"));

        Http.Answer answer = http.post("/client/v4/accounts/any/ai/run/@cf%2Fbaai%2Fbge-base-en-v1.5", user.token(),
                "{\"text\":\"hello\"}");

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("success").asBoolean()).isTrue();
        assertThat(answer.body().get("result").get("shape").toString()).isEqualTo("[1,2]");
        assertThat(answer.body().get("result").get("data").toString()).isEqualTo("[[0.5,-0.5]]");
        BigDecimal cost = new BigDecimal(answer.body().get("x_tollgate").get("cost_usd").asText());
        assertThat(cost).isPositive();
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo(cost);
    }

    @Test
    void theCloudflareRunPathServesImagesSpeechAndVisionInCloudflaresOwnForms() throws Exception {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"image\":\"" + Base64.getEncoder().encodeToString(png(512, 512))
                + "\"},\"success\":true,\"errors\":[],\"messages\":[]}"));
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new Buffer().write(png(1024, 512))));
        workersAi.enqueue(json200("{\"result\":{\"text\":\"Hi\",\"word_count\":1,\"words\":[{\"word\":\"Hi\","
                + "\"start\":0,\"end\":0.5}]},\"success\":true,\"errors\":[]}"));
        workersAi.enqueue(json200("{\"result\":{\"response\":\"A dot.\",\"usage\":{\"prompt_tokens\":100,"
                + "\"completion_tokens\":3}},\"success\":true,\"errors\":[]}"));
        String run = app.baseUrl() + "/client/v4/accounts/any/ai/run/";
        HttpClient client = HttpClient.newHttpClient();

        // when flux, SDXL, whisper (raw recording) and vision (image as uint8 array) are run the Cloudflare way
        Http.Answer flux = http.post("/client/v4/accounts/any/ai/run/" + FLUX, user.token(),
                "{\"prompt\":\"a dot\",\"steps\":2}");
        HttpResponse<byte[]> sdxl = client.send(HttpRequest.newBuilder(URI.create(run + SDXL))
                .header("Authorization", "Bearer " + user.token()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a dot\",\"num_steps\":5}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<String> whisper = client.send(HttpRequest.newBuilder(URI.create(run + "@cf/openai/whisper"))
                .header("Authorization", "Bearer " + user.token()).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(wav(16_000, 64_000))).build(),
                HttpResponse.BodyHandlers.ofString());
        Http.Answer vision = http.post("/client/v4/accounts/any/ai/run/" + VISION, user.token(),
                "{\"prompt\":\"What is it?\",\"image\":[1,2,3],\"max_tokens\":10}");

        // then each answers in Workers AI's form, and the balance moved by exactly the four costs
        assertThat(flux.status()).as(flux.toString()).isEqualTo(200);
        assertThat(Base64.getDecoder().decode(flux.body().get("result").get("image").asText())).isEqualTo(png(512, 512));
        // 1 tile × 52,800 + 2 steps × 105,600 = 264,000
        assertThat(flux.body().get("x_tollgate").get("cost_usd").asText()).isEqualTo("0.000264");
        assertThat(sdxl.statusCode()).isEqualTo(200);
        assertThat(sdxl.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("image/png"));
        assertThat(sdxl.body()).isEqualTo(png(1024, 512));
        // 2 tiles × 52,800 + 5 steps × 105,600 = 633,600
        assertThat(sdxl.headers().firstValue("X-Tollgate-Cost-Usd")).hasValue("0.0006336");
        assertThat(whisper.statusCode()).as(whisper.body()).isEqualTo(200);
        JsonNode heard = Http.JSON.readTree(whisper.body());
        assertThat(heard.get("result").get("text").asText()).isEqualTo("Hi");
        // 2,000 ms of WAV × 500,000 / 60,000 = 16,666.7 → 16,667
        assertThat(heard.get("x_tollgate").get("cost_usd").asText()).isEqualTo("0.000016667");
        assertThat(vision.status()).as(vision.toString()).isEqualTo(200);
        assertThat(vision.body().get("result").get("response").asText()).isEqualTo("A dot.");
        // (100 × 49,000,000 + 3 × 676,000,000) / 1e6 = 4,900 + 2,028 = 6,928
        assertThat(vision.body().get("x_tollgate").get("cost_usd").asText()).isEqualTo("0.000006928");
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo("0.000921195");
        workersAi.takeRequest(1, TimeUnit.SECONDS);
        JsonNode sdxlSent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sdxlSent.get("num_steps").asInt()).isEqualTo(5);
        assertThat(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readByteArray()).isEqualTo(wav(16_000, 64_000));
        JsonNode visionSent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(visionSent.get("image").toString()).isEqualTo("[1,2,3]");
    }

    @Test
    void whatStableDiffusionAndBgeMayChooseIsPassedOnAndALargerPictureIsHeldForBeforeItIsDrawn() throws Exception {
        // given a user whose balance covers a 1024×1024 picture of 5 steps (4 tiles: 739,200) but not 2048×1024
        // (8 tiles: 950,400)
        Funded user = funded("0.0008");
        workersAi.enqueue(json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]],\"usage\":{\"prompt_tokens\":3}},"
                + "\"success\":true,\"errors\":[]}"));
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "image/png")
                .setBody(new Buffer().write(png(1024, 512))));

        // when bge is asked for cls pooling, SDXL for a picture 2048 wide, and then for one 1024 by 512 with a seed
        Http.Answer embedded = http.post("/client/v4/accounts/any/ai/run/" + BGE, user.token(),
                "{\"text\":\"hi\",\"pooling\":\"cls\"}");
        Http.Answer tooLarge = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"" + SDXL + "\",\"prompt\":\"a dot\",\"steps\":5,\"width\":2048}");
        Http.Answer drawn = http.post("/api/ai/generate-image", user.token(), "{\"model\":\"" + SDXL
                + "\",\"prompt\":\"a dot\",\"steps\":5,\"width\":1024,\"height\":512,\"seed\":42,"
                + "\"negative_prompt\":\"fog\",\"guidance\":7.5}");
        Http.Answer badSide = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"" + SDXL + "\",\"prompt\":\"a dot\",\"width\":4096}");

        // then bge was asked for cls pooling
        assertThat(embedded.status()).as(embedded.toString()).isEqualTo(200);
        assertThat(Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8())
                .get("pooling").asText()).isEqualTo("cls");
        // and the wide picture was refused before the call, for want of funds to hold its 8 tiles
        assertThat(tooLarge.status()).as(tooLarge.toString()).isEqualTo(402);
        // and the other reached SDXL with what was chosen, and was charged its 2 tiles and 5 steps
        assertThat(drawn.status()).as(drawn.toString()).isEqualTo(200);
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("width").asInt()).isEqualTo(1024);
        assertThat(sent.get("height").asInt()).isEqualTo(512);
        assertThat(sent.get("seed").asLong()).isEqualTo(42);
        assertThat(sent.get("negative_prompt").asText()).isEqualTo("fog");
        assertThat(sent.get("guidance").toString()).isEqualTo("7.5");
        // 2 tiles × 52,800 + 5 steps × 105,600 = 633,600
        assertThat(drawn.body().get("cost_usd").asText()).isEqualTo("0.0006336");
        // and a side Workers AI does not draw is a 400 before any call
        assertThat(badSide.status()).as(badSide.toString()).isEqualTo(400);
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aStreamedVisionChatOnTheCloudflareRunPathSendsItsImageAndIsChargedAsAVisionChat() throws Exception {
        // given a funded user, and Workers AI answering a vision chat whole
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"A dot.\",\"usage\":{\"prompt_tokens\":100,"
                + "\"completion_tokens\":3}},\"success\":true,\"errors\":[]}"));

        // when a vision chat asks Cloudflare's run path for a stream
        Http.Answer streamed = http.post("/client/v4/accounts/any/ai/run/" + VISION, user.token(),
                "{\"prompt\":\"What is it?\",\"image\":[1,2,3],\"max_tokens\":10,\"stream\":true}");

        // then the image reached Workers AI with the prompt
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("image").toString()).isEqualTo("[1,2,3]");
        // and the answer came as one chunk, then the usage, then [DONE], charged at the vision model's prices
        assertThat(streamed.status()).as(streamed.toString()).isEqualTo(200);
        assertThat(streamed.raw()).contains("data: {\"response\":\"A dot.\"}").contains("data: [DONE]");
        // (100 × 49,000,000 + 3 × 676,000,000) / 1e6 = 4,900 + 2,028 = 6,928
        assertThat(streamed.raw()).contains("\"cost_usd\":\"0.000006928\"");
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo("0.000006928");
    }

    @Test
    void anOpenAiVisionMessageWithADataUrlIsMeteredAsAVisionChat() throws Exception {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"A lighthouse.\",\"usage\":{\"prompt_tokens\":1620,"
                + "\"completion_tokens\":5,\"total_tokens\":1625}},\"success\":true,\"errors\":[]}"));
        String body = "{\"model\":\"" + VISION + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"What is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":"
                + "\"data:image/png;base64,AAEC\"}}]}]}";

        Http.Answer answer = http.post("/v1/chat/completions", user.token(), body);
        Http.Answer remote = http.post("/v1/chat/completions", user.token(),
                body.replace("data:image/png;base64,AAEC", "https://example.com/cat.png"));

        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("choices").get(0).get("message").get("content").asText())
                .isEqualTo("A lighthouse.");
        assertThat(answer.body().get("usage").get("prompt_tokens").asLong()).isEqualTo(1620);
        assertThat(answer.body().get("x_tollgate").get("cost_usd").asText()).isEqualTo("0.00008276");
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo("0.00008276");
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("image").toString()).isEqualTo("[0,1,2]");
        assertThat(remote.status()).isEqualTo(400);
        assertThat(remote.body().get("error").get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void aPhotoOverAMegabyteIsTakenOnOpenAisChatPathAsOnTheOtherVisionPaths() throws Exception {
        // given a 1.5 MB image, sent as OpenAI's SDKs send one: a data URL, 2 MB of JSON
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Noise.\",\"usage\":{\"prompt_tokens\":1620,"
                + "\"completion_tokens\":2,\"total_tokens\":1622}},\"success\":true,\"errors\":[]}"));
        byte[] photo = new byte[1_500_000];
        new java.util.Random(7).nextBytes(photo);
        String body = "{\"model\":\"" + VISION + "\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"text\",\"text\":\"What is this?\"},{\"type\":\"image_url\",\"image_url\":{\"url\":"
                + "\"data:image/png;base64," + Base64.getEncoder().encodeToString(photo) + "\"}}]}]}";

        // when it is sent to /v1/chat/completions
        Http.Answer answer = http.post("/v1/chat/completions", user.token(), body);

        // then it is answered and metered, and Workers AI received every byte of the image
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        assertThat(answer.body().get("choices").get(0).get("message").get("content").asText()).isEqualTo("Noise.");
        JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
        assertThat(sent.get("image").size()).isEqualTo(photo.length);
    }

    @Test
    void anImageSentThreeTimesWithOneIdempotencyKeyIsDrawnAndChargedOnce() throws Exception {
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"image\":\"" + Base64.getEncoder().encodeToString(png(1024, 1024))
                + "\"},\"success\":true,\"errors\":[]}"));
        Map<String, String> key = Map.of("Idempotency-Key", "image-" + System.nanoTime());

        List<Http.Answer> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(http.post("/api/ai/generate-image", user.token(), IMAGE, key));
        }
        Http.Answer otherPrompt = http.post("/api/ai/generate-image", user.token(), IMAGE.replace("dusk", "dawn"), key);

        assertThat(answers).allSatisfy(a -> assertThat(a.status()).as(a.toString()).isEqualTo(200));
        assertThat(answers).extracting(Http.Answer::body).containsOnly(answers.get(0).body());
        assertThat(otherPrompt.status()).isEqualTo(409);
        assertThat(workersAi.takeRequest(1, TimeUnit.SECONDS)).isNotNull();
        assertThat(workersAi.takeRequest(300, TimeUnit.MILLISECONDS)).as("a second upstream call").isNull();
        assertThat(BigDecimal.ONE.subtract(balanceOf(user))).isEqualByComparingTo("0.0006336");
    }

    @Test
    void callsTheBalanceCannotCoverNeverReachTheProvider() throws Exception {
        Funded user = funded("0.000000001");

        List<Http.Answer> refused = new ArrayList<>();
        refused.add(http.post("/api/ai/embeddings", user.token(), EMBED));
        refused.add(http.post("/api/ai/generate-image", user.token(), IMAGE));
        refused.add(http.post("/api/ai/transcribe", user.token(), json("audio", "AAAAAAAAAAAAAAAAAAAAAAAA")));
        refused.add(http.post("/api/ai/vision-chat", user.token(), VISION_CHAT));

        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(402);
            assertThat(answer.errorCode()).isEqualTo("insufficient_funds");
        });
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(balanceOf(user)).isEqualByComparingTo("0.000000001");
    }

    @Test
    void anUnknownModelIsRefusedBeforeAnyHold() throws Exception {
        Funded user = funded("1");

        Http.Answer unknown = http.post("/api/ai/embeddings", user.token(),
                "{\"model\":\"@cf/nobody/nothing\",\"input\":\"x\"}");
        Http.Answer chatModelForImages = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"prompt\":\"x\"}");
        Http.Answer textModelForVision = http.post("/api/ai/vision-chat", user.token(),
                VISION_CHAT.replace(VISION, "@cf/meta/llama-3.1-8b-instruct"));
        Http.Answer openAi = http.post("/v1/embeddings", user.token(), "{\"model\":\"@cf/nobody/nothing\",\"input\":\"x\"}");

        for (Http.Answer answer : List.of(unknown, chatModelForImages, textModelForVision)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.errorCode()).isEqualTo("model_not_found");
        }
        assertThat(openAi.status()).isEqualTo(404);
        assertThat(openAi.body().get("error").get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        JsonNode events = http.get("/api/admin/accounts/" + user.id() + "/events", admin).body();
        assertThat(events.findValuesAsText("type")).doesNotContain("CreditsReserved");
    }

    @Test
    void anUpstreamFailureReleasesTheWholeHoldForEveryMediaCall() throws Exception {
        Funded user = funded("1");
        List<Http.Answer> failed = new ArrayList<>();
        for (String[] call : new String[][] {{"/api/ai/embeddings", EMBED}, {"/api/ai/generate-image", IMAGE},
                {"/api/ai/transcribe", json("audio", "AAAAAAAAAAAAAAAAAAAAAAAA")}, {"/api/ai/vision-chat", VISION_CHAT}}) {
            for (int attempt = 0; attempt < 3; attempt++) {
                workersAi.enqueue(new MockResponse().setResponseCode(500).setBody("oops"));
            }
            failed.add(http.post(call[0], user.token(), call[1]));
        }

        assertThat(failed).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(502);
            assertThat(answer.errorCode()).isEqualTo("upstream_error");
            assertThat(answer.raw()).doesNotContain("test-token-not-a-secret");
        });
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        JsonNode events = http.get("/api/admin/accounts/" + user.id() + "/events", admin).body();
        assertThat(events.findValuesAsText("type").stream().filter("CreditsReserved"::equals)).hasSize(4);
        assertThat(events.findValuesAsText("type").stream().filter("ReservationReleased"::equals)).hasSize(4);
    }

    @Test
    void badMediaIsRefusedAndChangesNothing() {
        Funded user = funded("1");

        Http.Answer notBase64 = http.post("/api/ai/vision-chat", user.token(),
                VISION_CHAT.replaceFirst("\"image\":\"[^\"]*\"", "\"image\":\"***\""));
        Http.Answer tooManySteps = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"" + FLUX + "\",\"prompt\":\"x\",\"steps\":9}");
        Http.Answer noInput = http.post("/api/ai/embeddings", user.token(), "{\"model\":\"" + BGE + "\"}");
        Http.Answer emptyText = http.post("/api/ai/embeddings", user.token(),
                "{\"model\":\"" + BGE + "\",\"input\":\"\"}");
        Http.Answer oneEmptyOfThree = http.post("/api/ai/embeddings", user.token(),
                "{\"model\":\"" + BGE + "\",\"input\":[\"a\",\"\",\"b\"]}");

        for (Http.Answer answer : List.of(notBase64, tooManySteps, noInput, emptyText, oneEmptyOfThree)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().get("error").get("request_id").asText()).isNotBlank();
        }
        assertThat(emptyText.body().get("error").get("message").asText()).contains("must not be empty");
        assertThat(balanceOf(user)).isEqualByComparingTo("1");
    }

    /** "hello" embedded with bge, whose one vector comes back with the given usage. */
    private Http.Answer embedHello(Funded user, String usageJson) {
        workersAi.enqueue(json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.5,0.5]],\"usage\":" + usageJson + "},"
                + "\"success\":true,\"errors\":[]}"));
        return http.post("/api/ai/embeddings", user.token(), "{\"model\":\"" + BGE + "\",\"input\":\"hello\"}");
    }

    private void assertExactlyCharged(Funded user, String before, JsonNode answer) {
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        BigDecimal cost = new BigDecimal(answer.get("cost_usd").asText());
        assertThat(cost).isPositive();
        assertThat(new BigDecimal(before).subtract(new BigDecimal(balance.get("balance_usd").asText())))
                .isEqualByComparingTo(cost);
        assertThat(new BigDecimal(answer.get("balance_usd").asText()))
                .isEqualByComparingTo(balance.get("balance_usd").asText());
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }

    private BigDecimal balanceOf(Funded user) {
        return new BigDecimal(http.get("/api/credits/balance", user.token()).body().get("balance_usd").asText());
    }

    /** nano-USD × 10⁶ (a price per million times a count), rounded up to the nano-dollar, as USD. */
    private static BigDecimal ceilNanos(long numerator) {
        return BigDecimal.valueOf(numerator).divide(BigDecimal.valueOf(1_000_000), 0, java.math.RoundingMode.CEILING)
                .movePointLeft(9);
    }


    static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        b.putInt(13).put("IHDR".getBytes()).putInt(width).putInt(height).put(new byte[] {8, 6, 0, 0, 0}).putInt(0);
        return b.array();
    }

    static byte[] wav(int sampleRate, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + dataBytes).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(sampleRate)
                .putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(dataBytes);
        return b.array();
    }

}
