package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator's price book over HTTP (ADR 28): a price or markup set by an admin prices every hold placed after the
 * answer, to the nano-dollar, and the charge records the prices it used. Each test prices its own model.
 */
class PriceBookTest extends BehindFakeWorkersAi {
    private static final String USAGE_136_10 = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":136,"
            + "\"completion_tokens\":10,\"total_tokens\":146}},\"success\":true,\"errors\":[]}";

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"max_tokens\":100,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    }

    private static String encoded(String model) {
        return model.replace("@", "%40").replace("/", "%2F");
    }

    private Http.Answer put(String path, String token, String json) {
        return http.send("PUT", path, token, json, Map.of());
    }

    private JsonNode row(String model) {
        for (JsonNode row : http.get("/api/admin/prices", admin).body()) {
            if (row.get("model").asText().equals(model)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + model);
    }

    @Test
    void theListShowsEveryModelsListPriceAndUnit() {
        JsonNode llama = row("@cf/meta/llama-3.1-8b-instruct");
        JsonNode whisper = row("@cf/openai/whisper");

        assertThat(llama.get("unit").asText()).isEqualTo("tokens");
        assertThat(llama.has("effective_at")).isTrue();
        assertThat(whisper.get("unit").asText()).isEqualTo("audio_millisecond");
        assertThat(whisper.get("unit_usd").asText()).isEqualTo("0.0005");
        assertThat(whisper.get("unit_per").asLong()).isEqualTo(60_000);
    }

    @Test
    void aNewPriceChargesTheNextCallToTheNanoDollarAndTheChargeRecordsIt() {
        // given an admin prices a model at 0.5 / 1.5 USD per million tokens, from now on
        String model = "@cf/meta/llama-3.1-8b-instruct";
        Http.Answer set = put("/api/admin/prices/" + encoded(model), admin,
                "{\"input_usd_per_m\":\"0.5\",\"output_usd_per_m\":\"1.5\"}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.body().get("input_usd_per_m").asText()).isEqualTo("0.5");
        assertThat(Instant.parse(set.body().get("effective_at").asText())).isBeforeOrEqualTo(Instant.now());
        Funded user = funded("1");
        workersAi.enqueue(json200(USAGE_136_10));

        // when a call runs right after the answer
        Http.Answer answer = http.post("/api/ai/chat", user.token(), chat(model));

        // then it costs (136 × 500,000,000 + 10 × 1,500,000,000) / 1e6 = 83,000 nano-USD
        assertThat(answer.body().get("cost_usd").asText()).as(answer.toString()).isEqualTo("0.000083");
        assertThat(row(model).get("output_usd_per_m").asText()).isEqualTo("1.5");
        JsonNode charge = lastEvent(user, "ReservationSettled").get("payload").get("charge");
        assertThat(charge.get("input_price_per_million").asText()).isEqualTo("0.5");
        assertThat(charge.get("output_price_per_million").asText()).isEqualTo("1.5");
    }

    @Test
    void theMarkupRaisesEveryPriceRoundedUpAndCanBeTakenBack() {
        String model = "@cf/meta/llama-3.2-3b-instruct";
        put("/api/admin/prices/" + encoded(model), admin, "{\"input_usd_per_m\":\"0.5\",\"output_usd_per_m\":\"1.5\"}");
        try {
            // given a 10 % markup
            Http.Answer set = put("/api/admin/prices/markup", admin, "{\"basis_points\":1000}");
            assertThat(set.status()).as(set.toString()).isEqualTo(200);
            assertThat(set.body().get("basis_points").asInt()).isEqualTo(1000);
            Funded user = funded("1");
            workersAi.enqueue(json200(USAGE_136_10));

            // when a call runs
            Http.Answer answer = http.post("/api/ai/chat", user.token(), chat(model));

            // then it pays 0.55 / 1.65: 74,800 + 16,500 = 91,300 nano-USD; users see the marked-up price
            assertThat(answer.body().get("cost_usd").asText()).as(answer.toString()).isEqualTo("0.0000913");
            JsonNode pricing = http.get("/api/credits/pricing", user.token()).body();
            List<String> inputs = new ArrayList<>();
            pricing.forEach(p -> {
                if (p.get("model").asText().equals(model)) {
                    inputs.add(p.get("input_usd_per_m").asText());
                }
            });
            assertThat(inputs).containsExactly("0.55");
            assertThat(row(model).get("input_usd_per_m").asText()).as("the list price").isEqualTo("0.5");
        } finally {
            put("/api/admin/prices/markup", admin, "{\"basis_points\":0}");
        }
        assertThat(http.get("/api/admin/prices/markup", admin).body().get("basis_points").asInt()).isZero();
    }

    @Test
    void theMarkupReadsWithTheTimeItTookEffect() {
        try {
            // given an admin sets a 10 % markup from now on
            Http.Answer set = put("/api/admin/prices/markup", admin, "{\"basis_points\":1000}");
            assertThat(set.status()).as(set.toString()).isEqualTo(200);

            // when the markup is read back
            Http.Answer read = http.get("/api/admin/prices/markup", admin);

            // then it names the same markup and the same effective time the change answered
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(read.body().get("basis_points").asInt()).isEqualTo(1000);
            assertThat(read.body().get("effective_at").isTextual()).as(read.toString()).isTrue();
            assertThat(Instant.parse(read.body().get("effective_at").asText()))
                    .isEqualTo(Instant.parse(set.body().get("effective_at").asText()));
        } finally {
            put("/api/admin/prices/markup", admin, "{\"basis_points\":0}");
        }
    }

    @Test
    void aPriceScheduledForLaterIsListedAndDoesNotApplyYet() {
        String model = "@cf/mistral/mistral-7b-instruct-v0.1";
        Instant later = Instant.now().plusSeconds(3_600);

        Http.Answer set = put("/api/admin/prices/" + encoded(model), admin,
                "{\"input_usd_per_m\":\"9\",\"output_usd_per_m\":\"9\",\"effective_at\":\"" + later + "\"}");

        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(Instant.parse(set.body().get("effective_at").asText())).isEqualTo(later);
        List<JsonNode> rows = new ArrayList<>();
        http.get("/api/admin/prices", admin).body().forEach(r -> {
            if (r.get("model").asText().equals(model)) {
                rows.add(r);
            }
        });
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).get("input_usd_per_m").asText()).isEqualTo("0.11");
        assertThat(rows.get(1).get("input_usd_per_m").asText()).isEqualTo("9");
        JsonNode pricing = http.get("/api/credits/pricing", admin).body();
        pricing.forEach(p -> {
            if (p.get("model").asText().equals(model)) {
                assertThat(p.get("input_usd_per_m").asText()).isEqualTo("0.11");
            }
        });
    }

    @Test
    void aPriceLeftOutKeepsWhatTheListSaysWhenTheChangeTakesEffect() {
        // given an input price scheduled for one hour from now
        String model = "@cf/qwen/qwen2.5-coder-32b-instruct";
        Instant inAnHour = Instant.now().plusSeconds(3_600);
        put("/api/admin/prices/" + encoded(model), admin,
                "{\"input_usd_per_m\":\"0.7\",\"effective_at\":\"" + inAnHour + "\"}");

        // when only the output price is changed from two hours from now
        Http.Answer set = put("/api/admin/prices/" + encoded(model), admin,
                "{\"output_usd_per_m\":\"1.2\",\"effective_at\":\"" + inAnHour.plusSeconds(3_600) + "\"}");

        // then that change keeps the scheduled input price, not today's
        assertThat(set.body().get("input_usd_per_m").asText()).as(set.toString()).isEqualTo("0.7");
        assertThat(set.body().get("output_usd_per_m").asText()).isEqualTo("1.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"input_usd_per_m\":\"abc\"}", "{\"input_usd_per_m\":0.5}",
            "{\"input_usd_per_m\":\"-1\"}", "{\"input_usd_per_m\":\"1e3\"}", "{}", "[]",
            "{\"input_usd_per_m\":\"1\",\"effective_at\":\"tomorrow\"}",
            "{\"output_usd_per_m\":\"1000000.5\"}"})
    void aBadPriceIsA400AndChangesNothing(String body) {
        String model = "@cf/qwen/qwq-32b";
        JsonNode before = row(model);

        Http.Answer refused = put("/api/admin/prices/" + encoded(model), admin, body);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.raw()).doesNotContain("Exception").doesNotContain("dev.tollgate");
        assertThat(row(model)).isEqualTo(before);
    }

    @Test
    void aUnitPricedModelsUnitPricesChangeByNameAndChargeTheNextCall() {
        // given an admin prices SDXL's steps at 0.0002 USD (its tiles keep 0.0000528)
        String sdxl = "@cf/stabilityai/stable-diffusion-xl-base-1.0";
        Http.Answer set = put("/api/admin/prices/" + encoded(sdxl), admin,
                "{\"units\":[{\"unit\":\"step\",\"unit_usd\":\"0.0002\"}]}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.body().get("unit").asText()).isEqualTo("image_tile");
        assertThat(set.body().get("unit_usd").asText()).isEqualTo("0.0000528");
        assertThat(set.body().get("units").get(1).get("unit_usd").asText()).isEqualTo("0.0002");
        Funded user = funded("1");
        workersAi.enqueue(new okhttp3.mockwebserver.MockResponse().setResponseCode(200)
                .setHeader("Content-Type", "image/png")
                .setBody(new okio.Buffer().write(MeteredMediaGatewayTest.png(512, 512))));

        // when a 512×512 picture of 10 steps is made
        Http.Answer image = http.post("/api/ai/generate-image", user.token(),
                "{\"model\":\"" + sdxl + "\",\"prompt\":\"a fox\",\"steps\":10}");

        // then 1 tile × 52,800 + 10 steps × 200,000 = 2,052,800 nano-USD, and the list shows the new price
        assertThat(image.status()).as(image.toString()).isEqualTo(200);
        assertThat(image.body().get("cost_usd").asText()).isEqualTo("0.0020528");
        assertThat(row(sdxl).get("units").get(1).get("unit_usd").asText()).isEqualTo("0.0002");

        // and unit_usd alone prices the row's unit, the tile
        Http.Answer tile = put("/api/admin/prices/" + encoded(sdxl), admin, "{\"unit_usd\":\"0.0001\"}");
        assertThat(tile.body().get("unit_usd").asText()).as(tile.toString()).isEqualTo("0.0001");
        assertThat(tile.body().get("units").get(1).get("unit_usd").asText()).isEqualTo("0.0002");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"units\":[{\"unit\":\"pixel\",\"unit_usd\":\"1\"}]}", "{\"units\":[]}",
            "{\"units\":{\"unit\":\"step\"}}", "{\"units\":[{\"unit\":\"step\",\"unit_usd\":1}]}",
            "{\"unit_usd\":\"-1\"}", "{\"input_usd_per_m\":\"1\"}", "{\"effective_at\":\"2030-01-01T00:00:00Z\"}",
            "{\"units\":[{\"unit\":\"step\",\"unit_usd\":\"1\"},{\"unit\":\"step\",\"unit_usd\":\"2\"}]}"})
    void aBadUnitPriceIsA400AndChangesNothing(String body) {
        String flux = "@cf/black-forest-labs/flux-1-schnell";
        JsonNode before = row(flux);

        Http.Answer refused = put("/api/admin/prices/" + encoded(flux), admin, body);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(row(flux)).isEqualTo(before);
        assertThat(put("/api/admin/prices/" + encoded("@cf/qwen/qwq-32b"), admin, "{\"unit_usd\":\"1\"}").status())
                .isEqualTo(400);
    }

    @Test
    void unknownModelsUnitPricedModelsBadMarkupsAndUsersAreRefused() {
        Funded user = funded("1");

        Http.Answer unknown = put("/api/admin/prices/" + encoded("@cf/nobody/nothing"), admin,
                "{\"input_usd_per_m\":\"1\"}");
        Http.Answer unitPriced = put("/api/admin/prices/" + encoded("@cf/openai/whisper"), admin,
                "{\"input_usd_per_m\":\"1\"}");
        Http.Answer textMarkup = put("/api/admin/prices/markup", admin, "{\"basis_points\":\"10\"}");
        Http.Answer negativeMarkup = put("/api/admin/prices/markup", admin, "{\"basis_points\":-1}");
        Http.Answer byUser = put("/api/admin/prices/" + encoded("@cf/qwen/qwq-32b"), user.token(),
                "{\"input_usd_per_m\":\"0\"}");
        Http.Answer listByUser = http.get("/api/admin/prices", user.token());

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("model_not_found");
        assertThat(unitPriced.status()).isEqualTo(400);
        assertThat(textMarkup.status()).isEqualTo(400);
        assertThat(negativeMarkup.status()).isEqualTo(400);
        assertThat(byUser.status()).isEqualTo(403);
        assertThat(listByUser.status()).isEqualTo(403);
        assertThat(row("@cf/qwen/qwq-32b").get("input_usd_per_m").asText()).isEqualTo("0.66");
        assertThat(http.get("/api/admin/prices/markup", admin).body().get("basis_points").asInt()).isZero();
    }

    private JsonNode lastEvent(Funded user, String type) {
        JsonNode found = null;
        for (JsonNode event : http.get("/api/admin/accounts/" + user.id() + "/events", admin).body()) {
            if (event.get("type").asText().equals(type)) {
                found = event;
            }
        }
        assertThat(found).as(type).isNotNull();
        return found;
    }
}
