package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.QueueDispatcher;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * The two drop-in surfaces (OpenAI's {@code /v1}, Cloudflare's {@code /client/v4}) as their vendors' SDKs and curl
 * users meet them: every refusal in the vendor's own error shape, and nothing reaches Workers AI or is held for a
 * request that cannot run.
 */
class DropInContractTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String RUN_PATH = "/client/v4/accounts/a/ai/run/" + MODEL;
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":20,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String RUN = "{\"max_tokens\":20,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    private static final String EMBED = "{\"model\":\"@cf/baai/bge-base-en-v1.5\",\"input\":\"pizza\"}";

    @Test
    void aBodyNotDeclaredAsJsonIsA415InEachDropInsOwnShapeAndReachesNoOne() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when chats and embeddings are sent as a form (as curl -d sends them), as text/plain, or without a type
        List<Http.Answer> openAi = new ArrayList<>();
        for (String path : List.of("/v1/chat/completions", "/v1/embeddings")) {
            String json = path.endsWith("embeddings") ? EMBED : CHAT;
            openAi.add(http.postAs(path, user.token(), "model=" + MODEL + "&input=pizza",
                    "application/x-www-form-urlencoded"));
            openAi.add(http.postAs(path, user.token(), json, "text/plain"));
            openAi.add(http.postAs(path, user.token(), json, null));
        }
        List<Http.Answer> cloudflare = List.of(
                http.postAs(RUN_PATH, user.token(), "prompt=hello", "application/x-www-form-urlencoded"),
                http.postAs(RUN_PATH, user.token(), RUN, "text/plain"));

        // then each is a 415 in its vendor's shape, never a 500
        assertThat(openAi).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(415);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(answer.body().path("error").path("code").asText()).isEqualTo("unsupported_media_type");
            assertThat(answer.body().path("error").has("param")).isTrue();
        });
        assertThat(cloudflare).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(415);
            assertThat(answer.body().path("success").asBoolean(true)).isFalse();
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(9415);
            assertThat(answer.body().path("messages").isArray()).isTrue();
        });
        // and nothing reached Workers AI, nothing was held or charged
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void aJsonBodyWithoutContentTypeIsAChatOnTheCloudflareRunPathOfATextModel() throws Exception {
        // given a funded user and a Workers AI that answers one chat
        Funded user = funded("1");
        workersAi.enqueue(json200("{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":12,"
                + "\"completion_tokens\":3,\"total_tokens\":15}},\"success\":true,\"errors\":[],\"messages\":[]}"));

        // when a JSON chat is sent to a text model with no Content-Type at all, as curl --data-binary can
        Http.Answer chat = http.postAs(RUN_PATH, user.token(), RUN, null);

        // then it is answered and charged as the chat it is, and Workers AI was asked for that chat
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        assertThat(chat.body().path("result").path("response").asText()).isEqualTo("Cheese.");
        RecordedRequest sent = workersAi.takeRequest(1, TimeUnit.SECONDS);
        JsonNode forwarded = Http.JSON.readTree(sent.getBody().readUtf8());
        assertThat(forwarded.path("messages").path(0).path("content").asText()).isEqualTo("Why is pizza so good?");
        assertThat(forwarded.path("max_tokens").asInt()).isEqualTo(20);
    }

    @Test
    void aBodyWithoutContentTypeThatIsNotJsonIsTakenForARecordingAndATextModelSaysItHearsNone() throws Exception {
        // given a funded user
        Funded user = funded("1");

        // when bytes that are not JSON are sent to a text model with no Content-Type
        Http.Answer answer = http.postAs(RUN_PATH, user.token(), "RIFF....WAVEfmt ", null);

        // then it is refused as Cloudflare refuses a model of another task, in readable English, before any hold
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(5007);
        assertThat(answer.body().path("errors").path(0).path("message").asText())
                .isEqualTo(MODEL + " is a Text Generation model, not an Automatic Speech Recognition model");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void aWrongMethodOnADropInPathIsA405InTheVendorsShapeWithItsAllowHeader() {
        // given a funded user's credentials
        String token = funded("1").token();

        // when the metered paths are asked with GET
        List<Http.Answer> openAi = List.of(http.get("/v1/chat/completions", token), http.get("/v1/embeddings", token));
        Http.Answer cloudflare = http.get(RUN_PATH, token);
        Http.Answer own = http.get("/api/ai/chat", token);

        // then each drop-in answers 405 in its vendor's shape and names the method it takes
        assertThat(openAi).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(405);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(answer.body().path("error").path("code").asText()).isEqualTo("method_not_allowed");
            assertThat(answer.response().headers().firstValue("Allow")).hasValueSatisfying(
                    allow -> assertThat(allow).contains("POST"));
        });
        assertThat(cloudflare.status()).as(cloudflare.toString()).isEqualTo(405);
        assertThat(cloudflare.body().path("success").asBoolean(true)).isFalse();
        assertThat(cloudflare.body().path("errors").path(0).path("code").asInt()).isEqualTo(9405);
        assertThat(cloudflare.response().headers().firstValue("Allow")).hasValueSatisfying(
                allow -> assertThat(allow).contains("POST"));
        // and Tollgate's own API keeps its own shape
        assertThat(own.status()).isEqualTo(405);
        assertThat(own.errorCode()).isEqualTo("method_not_allowed");
        assertThat(own.body().path("error").path("request_id").isTextual()).isTrue();
    }

    @Test
    void anUnknownPathUnderADropInIsA404InTheVendorsShape() {
        // given a funded user's credentials
        String token = funded("1").token();

        // when paths the vendors have and Tollgate does not serve are called
        List<Http.Answer> openAi = List.of(http.post("/v1/completions", token, CHAT),
                http.post("/v1/responses", token, CHAT), http.get("/v1/files", token));
        List<Http.Answer> cloudflare = List.of(http.post("/client/v4/accounts/a/ai/finetunes", token, RUN),
                http.get("/client/v4/accounts/a/ai/authors/search", token), http.get("/client/v4/zones", token));
        Http.Answer own = http.get("/api/ai/nothing-here", token);

        // then each is a 404 in its vendor's shape
        assertThat(openAi).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(answer.body().path("error").path("message").asText()).startsWith("Invalid URL");
        });
        assertThat(cloudflare).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(404);
            assertThat(answer.body().path("success").asBoolean(true)).isFalse();
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(7003);
        });
        // and Tollgate's own API keeps its own shape
        assertThat(own.status()).isEqualTo(404);
        assertThat(own.errorCode()).isEqualTo("not_found");
    }

    @Test
    void anEmptyEmbeddingsInputIsRefusedAsOpenAiRefusesItBeforeAnyHold() throws InterruptedException {
        // given a funded user, and a Workers AI that would embed anything it is sent
        Funded user = funded("1");
        workersAi.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return json200("{\"result\":{\"shape\":[1,2],\"data\":[[0.1,0.2]]},\"success\":true,"
                        + "\"errors\":[],\"messages\":[]}");
            }
        });
        List<Http.Answer> answers;
        try {
            // when embeddings are asked for an empty string, an empty list, or a list holding an empty string
            answers = List.of(
                    http.post("/v1/embeddings", user.token(), EMBED.replace("\"pizza\"", "\"\"")),
                    http.post("/v1/embeddings", user.token(), EMBED.replace("\"pizza\"", "[]")),
                    http.post("/v1/embeddings", user.token(), EMBED.replace("\"pizza\"", "[\"\"]")));
        } finally {
            workersAi.setDispatcher(new QueueDispatcher());
        }

        // then each is OpenAI's 400 invalid_request_error about input
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(answer.body().path("error").path("param").asText()).isEqualTo("input");
        });
        // and nothing reached Workers AI, nothing was held or charged
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void theSamplingFieldsWorkersAiDocumentsAreForwardedFromEverySurfaceAndNothingElseIs() throws Exception {
        // given a funded user and a Workers AI that answers three chats
        String token = funded("1").token();
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(json200("{\"result\":{\"response\":\"ok\",\"usage\":{\"prompt_tokens\":5,"
                    + "\"completion_tokens\":1,\"total_tokens\":6}},\"success\":true,\"errors\":[]}"));
        }
        String sampling = "\"top_p\":0.9,\"top_k\":40,\"seed\":12345,\"repetition_penalty\":1.1,"
                + "\"frequency_penalty\":-0.5,\"presence_penalty\":0.25,\"logit_bias\":{\"50256\":-100},"
                + "\"min_p\":0.1,";

        // when a chat with them, and with fields the reference does not list, is sent on each surface
        List<Http.Answer> answers = List.of(
                http.post("/api/ai/chat", token, CHAT.replace("{", "{" + sampling)),
                http.post("/v1/chat/completions", token, CHAT.replace("{", "{" + sampling)),
                http.post(RUN_PATH, token, RUN.replace("{", "{" + sampling)));

        // then each call reached Workers AI with exactly the documented fields, as sent, and no other
        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).as(answer.toString()).isEqualTo(200));
        for (int i = 0; i < 3; i++) {
            JsonNode sent = Http.JSON.readTree(workersAi.takeRequest(1, TimeUnit.SECONDS).getBody().readUtf8());
            assertThat(sent.path("top_p").decimalValue()).isEqualByComparingTo("0.9");
            assertThat(sent.path("top_k").asInt()).isEqualTo(40);
            assertThat(sent.path("seed").asLong()).isEqualTo(12345);
            assertThat(sent.path("repetition_penalty").decimalValue()).isEqualByComparingTo("1.1");
            assertThat(sent.path("frequency_penalty").decimalValue()).isEqualByComparingTo("-0.5");
            assertThat(sent.path("presence_penalty").decimalValue()).isEqualByComparingTo("0.25");
            assertThat(sent.has("logit_bias")).isFalse();
            assertThat(sent.has("min_p")).isFalse();
        }
    }

    @Test
    void aSamplingFieldThatIsNotANumberIsRefusedOnEverySurfaceBeforeAnyHold() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when top_k is sent as text on each surface
        List<Http.Answer> answers = List.of(
                http.post("/api/ai/chat", user.token(), CHAT.replace("{", "{\"top_k\":\"forty\",")),
                http.post("/v1/chat/completions", user.token(), CHAT.replace("{", "{\"top_k\":\"forty\",")),
                http.post(RUN_PATH, user.token(), RUN.replace("{", "{\"top_k\":\"forty\",")));

        // then each is a 400 in its own shape that names the field, and nothing reached Workers AI or was held
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.raw()).contains("top_k must be a number");
        });
        assertThat(answers.get(0).errorCode()).isEqualTo("invalid_request");
        assertThat(answers.get(1).body().path("error").path("param").asText()).isEqualTo("top_k");
        assertThat(answers.get(2).body().path("errors").path(0).path("code").asInt()).isEqualTo(5006);
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void anErrorReportedMidStreamEndsEverySurfacesStreamAsBrokenAndChargesOnlyWhatWasProduced() throws Exception {
        // given a funded user and a Workers AI whose streams report an error after "Hel" and then claim [DONE]
        Funded user = funded("1");
        for (int i = 0; i < 3; i++) {
            workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                    .setBody("data: {\"response\":\"Hel\"}\n\n"
                            + "data: {\"errors\":[{\"message\":\"AiError: inference failed\",\"code\":3043}],"
                            + "\"success\":false}\n\n"
                            + "data: [DONE]\n\n"));
        }

        // when a chat is streamed on each surface
        String stream = "{\"stream\":true,";
        List<Http.Answer> answers = List.of(
                http.post("/api/ai/chat/stream", user.token(), CHAT.replace("{", stream)),
                http.post("/v1/chat/completions", user.token(), CHAT.replace("{", stream)),
                http.post(RUN_PATH, user.token(), RUN.replace("{", stream)));

        // then no stream ends as a success: each passed on "Hel" and then no [DONE]
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.raw()).contains("Hel").doesNotContain("[DONE]");
        });
        // and each call was charged for what it produced, logged as partial, with nothing left held
        JsonNode logged = http.get("/api/usage/logs?limit=3", user.token()).body().get("items");
        assertThat(logged).hasSize(3).allSatisfy(call -> {
            assertThat(call.get("status").asText()).isEqualTo("partial");
            assertThat(new java.math.BigDecimal(call.get("cost_usd").asText())).isPositive();
        });
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(new java.math.BigDecimal(balance.get("balance_usd").asText())).isLessThan(java.math.BigDecimal.ONE);
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void maxTokensAbove32768IsRefusedOnEverySurfaceBeforeAnyHoldAnd32768IsServed() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when a chat asks for 32,769 output tokens on each surface
        List<Http.Answer> refused = List.of(
                http.post("/api/ai/chat", user.token(), CHAT.replace("\"max_tokens\":20", "\"max_tokens\":32769")),
                http.post("/v1/chat/completions", user.token(),
                        CHAT.replace("\"max_tokens\":20", "\"max_tokens\":32769")),
                http.post(RUN_PATH, user.token(), RUN.replace("\"max_tokens\":20", "\"max_tokens\":32769")));

        // then each is a 400, as ADR 9 says, and nothing reached Workers AI or was held
        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.raw()).contains("32768");
        });
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);

        // and 32,768 is served as asked, not lowered
        workersAi.enqueue(json200("{\"result\":{\"response\":\"ok\",\"usage\":{\"prompt_tokens\":5,"
                + "\"completion_tokens\":1,\"total_tokens\":6}},\"success\":true,\"errors\":[]}"));
        Http.Answer served = http.post("/api/ai/chat", user.token(),
                CHAT.replace("\"max_tokens\":20", "\"max_tokens\":32768"));
        assertThat(served.status()).as(served.toString()).isEqualTo(200);
        RecordedRequest sent = workersAi.takeRequest(1, TimeUnit.SECONDS);
        assertThat(sent.getBody().readUtf8()).contains("\"max_tokens\":32768");
    }

    @Test
    void aStreamFlagThatIsNotABooleanIsRefusedInEachDropInsShapeBeforeAnyHold() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when /v1/chat/completions is sent "stream":"yes", stream_options that are not an object, and a model that
        // is not a string
        Http.Answer yes = http.post("/v1/chat/completions", user.token(), CHAT.replace("{", "{\"stream\":\"yes\","));
        Http.Answer options = http.post("/v1/chat/completions", user.token(),
                CHAT.replace("{", "{\"stream\":true,\"stream_options\":5,"));
        Http.Answer model = http.post("/v1/chat/completions", user.token(),
                CHAT.replaceFirst("\"model\":\"[^\"]*\"", "\"model\":5"));
        Http.Answer run = http.post(RUN_PATH, user.token(), RUN.replace("{", "{\"stream\":\"yes\","));

        // then each is a 400 that names its field, rather than a whole answer to a client that asked for a stream
        assertThat(List.of(yes, options, model)).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("error").path("type").asText()).isEqualTo("invalid_request_error");
        });
        assertThat(yes.body().path("error").path("param").asText()).isEqualTo("stream");
        assertThat(options.body().path("error").path("param").asText()).isEqualTo("stream_options");
        assertThat(model.body().path("error").path("message").asText()).contains("string");
        // and Cloudflare's surface refuses the same flag as bad input in its envelope
        assertThat(run.status()).as(run.toString()).isEqualTo(400);
        assertThat(run.body().path("errors").path(0).path("code").asInt()).isEqualTo(5006);
        // and nothing reached Workers AI or was held
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void aChatWhoseTextIsOverTheBodyLimitIsA413OnTheDropInsThatTakePhotosBeforeAnyHold() throws InterruptedException {
        // given a funded user, and a text just over the JSON body limit (1 MB), which the drop-ins' larger limit for
        // bodies carrying photos lets through
        Funded user = funded("1");
        String text = "a ".repeat(600_000);
        String chat = CHAT.replace("Why is pizza so good?", text);
        String run = RUN.replace("Why is pizza so good?", text);

        // when it is sent as a chat on OpenAI's and on Cloudflare's surface, and as a Cloudflare prompt
        Http.Answer openAi = http.post("/v1/chat/completions", user.token(), chat);
        Http.Answer cloudflare = http.post(RUN_PATH, user.token(), run);
        Http.Answer prompt = http.post(RUN_PATH, user.token(), "{\"prompt\":\"" + text + "\"}");

        // then each is a 413 in its vendor's shape
        assertThat(openAi.status()).as(openAi.toString()).isEqualTo(413);
        assertThat(openAi.body().path("error").path("code").asText()).isEqualTo("payload_too_large");
        assertThat(List.of(cloudflare, prompt)).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(413);
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(3006);
        });
        // and nothing reached Workers AI or was held
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void aTemperatureOutsideWhatWorkersAiTakesIsRefusedOnCloudflaresSurfaceBeforeAnyHold()
            throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when Cloudflare's run path is sent a temperature above 5, below 0, and one that is not a number
        List<Http.Answer> refused = List.of(
                http.post(RUN_PATH, user.token(), RUN.replace("{", "{\"temperature\":6,")),
                http.post(RUN_PATH, user.token(), RUN.replace("{", "{\"temperature\":-0.1,")),
                http.post(RUN_PATH, user.token(), RUN.replace("{", "{\"temperature\":\"hot\",")));

        // then each is Cloudflare's bad input, 5006, naming the range Workers AI documents
        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(5006);
            assertThat(answer.raw()).contains("from 0 to 5");
        });
        // and nothing reached Workers AI or was held
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    @Test
    void anUnknownModelOnCloudflaresRunPathIsSaidToBeUnknownWhateverItsBodyHolds() throws InterruptedException {
        // given a funded user
        Funded user = funded("1");

        // when a model Tollgate does not serve is run with an embedding's body and with a prompt
        List<Http.Answer> unknown = List.of(
                http.post("/client/v4/accounts/a/ai/run/@cf/baai/nope", user.token(), "{\"text\":\"hi\"}"),
                http.post("/client/v4/accounts/a/ai/run/@cf/baai/nope", user.token(), "{\"prompt\":\"hi\"}"));

        // then each is Cloudflare's "no such model", 5007, not a complaint about the body
        assertThat(unknown).allSatisfy(answer -> {
            assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
            assertThat(answer.body().path("errors").path(0).path("code").asInt()).isEqualTo(5007);
        });
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        assertUntouched(user);
    }

    /** The user's balance is what was deposited, with nothing held. */
    private void assertUntouched(Funded user) {
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }
}
