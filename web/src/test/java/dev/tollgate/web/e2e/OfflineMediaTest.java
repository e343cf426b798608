package dev.tollgate.web.e2e;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import static dev.tollgate.web.e2e.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import java.io.ByteArrayInputStream;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Without Cloudflare credentials every modality is served by the offline provider: deterministic stand-ins, labelled
 * "offline", and metered exactly like real calls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OfflineMediaTest {
    private static final String BGE = "@cf/baai/bge-base-en-v1.5";

    private RunningTollgate app;
    private Http http;
    private String token;
    private String key;

    @BeforeAll
    void start() {
        app = RunningTollgate.start(Storage.embedded(Storage.tempDir()));
        http = app.http;
        String id = http.post("/api/auth/register", null, json("email", "media@example.com", "password", "media-pass"))
                .body().get("id").asText();
        token = http.post("/api/auth/login", null, json("email", "media@example.com", "password", "media-pass"))
                .body().get("access_token").asText();
        String admin = http.post("/api/auth/login", null,
                json("email", RunningTollgate.ADMIN_EMAIL, "password", RunningTollgate.ADMIN_PASSWORD))
                .body().get("access_token").asText();
        http.post("/api/admin/credits/deposit", admin, json("user_id", id, "amount_usd", "5"));
        key = http.post("/api/auth/api-keys", token, json("name", "sdk")).body().get("key").asText();
    }

    @AfterAll
    void stop() {
        app.close();
    }

    @Test
    void theOpenAiSdkGetsDeterministicUnitVectorsOfTheModelsSize() {
        OpenAIClient client = OpenAIOkHttpClient.builder().apiKey(key).baseUrl(app.baseUrl() + "/v1").maxRetries(0)
                .build();
        BigDecimal before = balance();

        CreateEmbeddingResponse first = client.embeddings().create(EmbeddingCreateParams.builder().model(BGE)
                .inputOfArrayOfStrings(List.of("same text", "other text")).build());
        CreateEmbeddingResponse again = client.embeddings().create(EmbeddingCreateParams.builder().model(BGE)
                .input("same text").build());

        List<Float> vector = first.data().get(0).embedding();
        assertThat(vector).hasSize(768);
        assertThat(again.data().get(0).embedding()).isEqualTo(vector);
        assertThat(first.data().get(1).embedding()).isNotEqualTo(vector);
        double norm = vector.stream().mapToDouble(v -> v * v).sum();
        assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        long tokens = first.usage().promptTokens() + again.usage().promptTokens();
        BigDecimal cost = BigDecimal.valueOf(first.usage().promptTokens() * 67L)
                .add(BigDecimal.valueOf(again.usage().promptTokens() * 67L)).movePointLeft(9);
        assertThat(tokens).isPositive();
        assertThat(before.subtract(balance())).isEqualByComparingTo(cost);
    }

    @Test
    void everyMediaAnswerSaysItIsOffline() throws Exception {
        Http.Answer embeddings = http.post("/api/ai/embeddings", token, json("model", BGE, "input", "hi"));
        Http.Answer image = http.post("/api/ai/generate-image", token,
                json("model", "@cf/black-forest-labs/flux-1-schnell", "prompt", "a red fox"));
        Http.Answer speech = http.post("/api/ai/transcribe", token,
                json("audio", Base64.getEncoder().encodeToString(MeteredMediaGatewayTest.wav(16_000, 32_000))));
        Http.Answer vision = http.post("/api/ai/vision-chat", token, "{\"model\":\"@cf/meta/llama-3.2-11b-vision-"
                + "instruct\",\"image\":\"AAEC\",\"messages\":[{\"role\":\"user\",\"content\":\"What is this?\"}]}");

        for (Http.Answer answer : List.of(embeddings, image, speech, vision)) {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
            assertThat(answer.body().get("provider").asText()).isEqualTo("offline");
            assertThat(new BigDecimal(answer.body().get("cost_usd").asText())).isPositive();
        }
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(
                Base64.getDecoder().decode(image.body().get("image").asText())));
        assertThat(png.getWidth()).isEqualTo(1024);
        assertThat(image.body().get("cost_usd").asText()).isEqualTo("0.0006336");
        assertThat(speech.body().get("text").asText()).startsWith("[offline]");
        // one second of audio at 0.0005 USD per minute: 500,000 / 60 = 8,333.3 → 8,334 nano-USD
        assertThat(speech.body().get("cost_usd").asText()).isEqualTo("0.000008334");
        assertThat(vision.body().get("response").asText()).startsWith("[offline]");
        assertThat(http.get("/api/credits/balance", token).body().get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void aRecordingUploadedAsAFormAndAVisionPromptWithoutMessagesAreAnsweredLikeTheirJsonForms() throws Exception {
        // given one second of audio as a form upload, as OpenAI's clients send files
        byte[] wav = MeteredMediaGatewayTest.wav(16_000, 32_000);
        String boundary = "tollgate-boundary";
        ByteArrayOutputStream form = new ByteArrayOutputStream();
        form.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n@cf/openai/whisper\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        form.write(wav);
        form.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));

        // when it is sent, and a vision question comes as Workers AI's "prompt"
        HttpResponse<String> speech = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(app.baseUrl() + "/api/ai/transcribe"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        Http.Answer vision = http.post("/api/ai/vision-chat", token, "{\"model\":\"@cf/meta/llama-3.2-11b-vision-"
                + "instruct\",\"image\":\"AAEC\",\"prompt\":\"What is this?\"}");

        // then both are answered and charged as their JSON forms are
        assertThat(speech.statusCode()).as(speech.body()).isEqualTo(200);
        assertThat(Http.JSON.readTree(speech.body()).get("cost_usd").asText()).isEqualTo("0.000008334");
        assertThat(vision.status()).as(vision.toString()).isEqualTo(200);
        assertThat(vision.body().get("response").asText()).startsWith("[offline]");
    }

    @Test
    void aRecordingAndAnImageSentAsWorkersAiByteArraysAreAnsweredLikeBase64() throws Exception {
        // given one second of audio and a small image, as arrays of bytes (Workers AI's own input form)
        byte[] wav = MeteredMediaGatewayTest.wav(16_000, 32_000);
        StringBuilder audio = new StringBuilder("[");
        for (int i = 0; i < wav.length; i++) {
            audio.append(i == 0 ? "" : ",").append(wav[i] & 0xFF);
        }
        audio.append(']');

        // when they are sent to Tollgate's own paths
        Http.Answer speech = http.post("/api/ai/transcribe", token,
                "{\"model\":\"@cf/openai/whisper\",\"audio\":" + audio + "}");
        Http.Answer vision = http.post("/api/ai/vision-chat", token, "{\"model\":\"@cf/meta/llama-3.2-11b-vision-"
                + "instruct\",\"image\":[0,1,2],\"prompt\":\"What is this?\"}");
        Http.Answer notBytes = http.post("/api/ai/vision-chat", token, "{\"model\":\"@cf/meta/llama-3.2-11b-vision-"
                + "instruct\",\"image\":[0,1,256],\"prompt\":\"What is this?\"}");

        // then both are answered and charged as their base64 forms are, and a value that is no byte is refused
        assertThat(speech.status()).as(speech.toString()).isEqualTo(200);
        assertThat(speech.body().get("cost_usd").asText()).isEqualTo("0.000008334");
        assertThat(vision.status()).as(vision.toString()).isEqualTo(200);
        assertThat(notBytes.status()).as(notBytes.toString()).isEqualTo(400);
        assertThat(notBytes.body().get("error").get("message").asText()).contains("bytes (0-255)");
    }

    @Test
    void thePriceListShowsUnitPricesForImagesAndSpeech() {
        JsonNode pricing = http.get("/api/credits/pricing", token).body();

        JsonNode flux = find(pricing, "@cf/black-forest-labs/flux-1-schnell");
        JsonNode whisper = find(pricing, "@cf/openai/whisper");
        assertThat(flux.get("unit").asText()).isEqualTo("units");
        assertThat(flux.get("unit_prices").get(0).get("unit").asText()).isEqualTo("image_tile");
        assertThat(flux.get("unit_prices").get(0).get("unit_usd").asText()).isEqualTo("0.0000528");
        assertThat(flux.get("unit_prices").get(1).get("unit_usd").asText()).isEqualTo("0.0001056");
        assertThat(whisper.get("unit_prices").get(0).get("unit_usd").asText()).isEqualTo("0.0005");
        assertThat(whisper.get("unit_prices").get(0).get("per").asLong()).isEqualTo(60_000);
        assertThat(find(pricing, "@cf/meta/llama-3.1-8b-instruct").get("unit").asText()).isEqualTo("tokens");
    }

    private static JsonNode find(JsonNode list, String model) {
        for (JsonNode item : list) {
            if (item.get("model").asText().equals(model)) {
                return item;
            }
        }
        throw new AssertionError(model + " is not in " + list);
    }

    private BigDecimal balance() {
        return new BigDecimal(http.get("/api/credits/balance", token).body().get("balance_usd").asText());
    }
}
