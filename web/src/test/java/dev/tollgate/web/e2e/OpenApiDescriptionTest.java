package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /v3/api-docs} as a client generator reads it (ADR 41): the JSON names, statuses, request bodies, errors and
 * credentials it describes are the ones the running application really uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenApiDescriptionTest {
    private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9_]*");

    private RunningTollgate app;

    @BeforeAll
    void start() {
        app = RunningTollgate.start(Storage.embedded(Storage.tempDir()));
    }

    @AfterAll
    void stop() {
        app.close();
    }

    private JsonNode apiDocs() {
        Http.Answer docs = app.http.get("/v3/api-docs", null);
        assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
        return docs.body();
    }

    @Test
    void everyPropertyOfEverySchemaIsNamedInSnakeCaseAsTheJsonIs() {
        // given the names the API's JSON really uses, read from a registration's answer
        Http.Answer registered = app.http.post("/api/auth/register", null,
                Http.json("email", "docs-" + System.nanoTime() + "@example.com", "password", "docs-password"));

        // when the description is read
        JsonNode schemas = apiDocs().get("components").get("schemas");

        // then no property anywhere is camelCase, and known views and bodies list the wire's names
        List<String> notSnakeCase = new ArrayList<>();
        schemas.fields().forEachRemaining(schema -> collectNames(schema.getKey(), schema.getValue(), notSnakeCase));
        assertThat(notSnakeCase).isEmpty();
        assertThat(names(schemas.get("UserView"))).containsExactlyInAnyOrderElementsOf(names(registered.body()));
        assertThat(names(schemas.get("BudgetView")))
                .contains("account_id", "daily_limit_usd", "monthly_limit_usd", "thresholds_percent", "hard_stop");
        assertThat(names(schemas.get("TeamKeyView"))).contains("spend_cap_usd", "team_id", "last_used_at");
        assertThat(names(schemas.get("BalanceView"))).contains("balance_usd", "held_usd", "available_usd");
    }

    @Test
    void thePathsThatTakeAModelIdNameItAsAParameterAsTheContractWritesThem() {
        // when the description is read
        JsonNode paths = apiDocs().get("paths");

        // then no path holds a literal ** that no client could call, and the model id is a path parameter
        List<String> names = new ArrayList<>();
        paths.fieldNames().forEachRemaining(names::add);
        assertThat(names).noneMatch(name -> name.contains("*"));
        assertThat(names).contains("/api/admin/prices/{model}", "/client/v4/accounts/{account}/ai/run/{model}",
                "/v1/models/{model}");
        JsonNode parameters = paths.get("/api/admin/prices/{model}").get("put").get("parameters");
        boolean named = false;
        for (JsonNode parameter : parameters) {
            named |= "model".equals(parameter.get("name").asText()) && "path".equals(parameter.get("in").asText())
                    && parameter.get("required").asBoolean();
        }
        assertThat(named).as(parameters.toString()).isTrue();
        // and the markup, a path of its own, keeps its name
        assertThat(paths.get("/api/admin/prices/markup").has("put")).isTrue();
    }

    @Test
    void eachOperationDocumentsTheStatusItReallyAnswers() {
        // when the description is read
        JsonNode paths = apiDocs().get("paths");

        // then creations are 201, the replay 202, revocations 204 — and none of them claims a 200 it never sends
        assertThat(statuses(paths, "/api/auth/register", "post")).contains("201").doesNotContain("200");
        assertThat(statuses(paths, "/api/auth/api-keys", "post")).contains("201").doesNotContain("200");
        assertThat(statuses(paths, "/api/teams", "post")).contains("201").doesNotContain("200");
        assertThat(statuses(paths, "/api/teams/{teamId}/api-keys", "post")).contains("201").doesNotContain("200");
        assertThat(statuses(paths, "/api/admin/projections/{name}/replay", "post"))
                .contains("202").doesNotContain("200");
        assertThat(statuses(paths, "/api/auth/api-keys/{id}", "delete")).contains("204").doesNotContain("200");
        // and where the answer depends on the request, both: the first report or member is 201, a repeat 200
        assertThat(statuses(paths, "/api/usage", "post")).contains("201", "200");
        assertThat(statuses(paths, "/api/teams/{teamId}/members", "post")).contains("201", "200");
        assertThat(paths.at("/~1api~1usage/post/responses/201/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/ChargeView");
    }

    @Test
    void errorsAreDescribedInTheOneErrorShape() {
        // when the description is read
        JsonNode docs = apiDocs();

        // then a shared Error schema holds code, message and request_id under "error"
        JsonNode error = docs.at("/components/schemas/Error");
        assertThat(error.at("/required").toString()).contains("error");
        assertThat(names(error.at("/properties/error"))).containsExactlyInAnyOrder("code", "message", "request_id");
        // and Tollgate's own operations answer their 4xx and 5xx with it
        JsonNode transfer = docs.at("/paths/~1api~1credits~1transfer/post/responses");
        assertThat(transfer.at("/4XX/$ref").asText()).isEqualTo("#/components/responses/Error");
        assertThat(transfer.at("/5XX/$ref").asText()).isEqualTo("#/components/responses/Error");
        assertThat(docs.at("/components/responses/Error/content/application~1json/schema/$ref").asText())
                .isEqualTo("#/components/schemas/Error");
        // while the drop-in surfaces, which answer in their vendors' shapes, do not claim it
        assertThat(docs.at("/paths/~1v1~1chat~1completions/post/responses").has("4XX")).isFalse();
    }

    @Test
    void requestBodiesAreDescribedByTheirFieldsNotAsOpaqueJson() {
        // when the description is read
        JsonNode docs = apiDocs();

        // then each body the controllers read names its fields, amounts as strings, required ones required
        Map<String, List<String>> required = Map.of(
                "/api/auth/register", List.of("email", "password"),
                "/api/credits/transfer", List.of("to", "amount_usd"),
                "/api/admin/credits/deposit", List.of("user_id", "amount_usd"),
                "/api/ai/chat", List.of("model", "messages"),
                "/api/teams", List.of("name"),
                "/api/usage", List.of("provider", "model", "input_tokens", "output_tokens", "request_id"));
        required.forEach((path, fields) -> {
            JsonNode body = bodySchema(docs, path, "post");
            assertThat(names(body)).as(path).containsAll(fields);
            assertThat(body.get("required")).as(path).isNotNull();
            assertThat(body.get("required").toString()).as(path).contains(fields.stream().map(f -> '"' + f + '"')
                    .toList());
        });
        assertThat(bodySchema(docs, "/api/credits/transfer", "post").at("/properties/amount_usd/type").asText())
                .isEqualTo("string");
        assertThat(names(bodySchema(docs, "/api/auth/login", "post"))).contains("email", "password");
        assertThat(names(bodySchema(docs, "/api/auth/api-keys", "post"))).containsExactly("name");
        assertThat(names(bodySchema(docs, "/api/credits/budget", "put")))
                .contains("daily_limit_usd", "monthly_limit_usd", "thresholds_percent", "hard_stop");
        assertThat(names(bodySchema(docs, "/api/admin/prices/markup", "put"))).contains("basis_points", "effective_at");
        assertThat(names(bodySchema(docs, "/api/teams/{teamId}/members", "post"))).contains("email", "role");
        assertThat(names(bodySchema(docs, "/api/teams/{teamId}/api-keys", "post"))).contains("name", "spend_cap_usd");
        assertThat(bodySchema(docs, "/api/admin/credits/deduct", "post"))
                .isEqualTo(bodySchema(docs, "/api/admin/credits/deposit", "post"));
        // and no example is one the API itself would refuse (an amount with an exponent, as 0.0001 became)
        assertThat(docs.toString()).doesNotContainPattern("\"example\":\"[0-9.]+E[-+]?[0-9]+\"");
    }

    @Test
    void theDescriptionNamesTollgateItsCredentialsAndLeavesOutTheErrorPath() {
        // when the description is read
        JsonNode docs = apiDocs();

        // then it is Tollgate's, at the build's version
        assertThat(docs.at("/info/title").asText()).isEqualTo("Tollgate");
        assertThat(docs.at("/info/description").asText()).isNotBlank();
        assertThat(docs.at("/info/version").asText()).isNotBlank().isNotEqualTo("v0").doesNotContain("@");
        // and credentials go as a bearer token (login token or API key) or in X-API-Key, either one
        JsonNode schemes = docs.at("/components/securitySchemes");
        assertThat(schemes.at("/bearer/type").asText()).isEqualTo("http");
        assertThat(schemes.at("/bearer/scheme").asText()).isEqualTo("bearer");
        assertThat(schemes.at("/api_key/type").asText()).isEqualTo("apiKey");
        assertThat(schemes.at("/api_key/in").asText()).isEqualTo("header");
        assertThat(schemes.at("/api_key/name").asText()).isEqualTo("X-API-Key");
        assertThat(docs.get("security").toString()).contains("bearer", "api_key");
        // except where none is needed
        for (String open : List.of("/paths/~1api~1auth~1register/post/security",
                "/paths/~1api~1auth~1login/post/security")) {
            assertThat(docs.at(open).isArray()).as(open).isTrue();
            assertThat(docs.at(open)).as(open).isEmpty();
        }
        // and the servlet container's error path is not part of the API
        assertThat(docs.get("paths").has("/error")).isFalse();
    }

    private static List<String> statuses(JsonNode paths, String path, String method) {
        JsonNode responses = paths.path(path).path(method).path("responses");
        assertThat(responses.isObject()).as(method + " " + path).isTrue();
        List<String> codes = new ArrayList<>();
        responses.fieldNames().forEachRemaining(codes::add);
        return codes;
    }

    private static JsonNode bodySchema(JsonNode docs, String path, String method) {
        JsonNode schema = docs.path("paths").path(path).path(method).path("requestBody").path("content")
                .path("application/json").path("schema");
        String ref = schema.path("$ref").asText();
        assertThat(ref).as(method + " " + path).startsWith("#/components/schemas/").isNotEqualTo(
                "#/components/schemas/JsonNode");
        return docs.at("/components/schemas/" + ref.substring("#/components/schemas/".length()));
    }

    private static List<String> names(JsonNode schemaOrObject) {
        JsonNode fields = schemaOrObject.has("properties") ? schemaOrObject.get("properties") : schemaOrObject;
        List<String> names = new ArrayList<>();
        fields.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every property name in the schema, nested ones too, that is not snake_case, as "Schema.path.name". */
    private static void collectNames(String where, JsonNode schema, List<String> notSnakeCase) {
        JsonNode properties = schema.path("properties");
        properties.fields().forEachRemaining(property -> {
            if (!SNAKE_CASE.matcher(property.getKey()).matches()) {
                notSnakeCase.add(where + "." + property.getKey());
            }
            collectNames(where + "." + property.getKey(), property.getValue(), notSnakeCase);
        });
        for (String nested : List.of("items", "additionalProperties")) {
            if (schema.path(nested).isObject()) {
                collectNames(where + "." + nested, schema.get(nested), notSnakeCase);
            }
        }
    }
}
