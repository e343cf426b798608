package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import java.util.Set;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI description at {@code /v3/api-docs} (ADR 41): the wire format as clients meet it — snake_case names,
 * the statuses each path really answers, the request bodies the controllers read, the one error shape, and the two
 * ways to send credentials.
 */
@Configuration
public class OpenApiConfig {
    static final String BEARER = "bearer";
    static final String API_KEY = "api_key";
    private static final String ERROR = "Error";
    private static final String ERROR_REF = "#/components/schemas/" + ERROR;
    private static final String ERROR_RESPONSE_REF = "#/components/responses/" + ERROR;

    /**
     * Schemas named as the HTTP mapper names the JSON (snake_case, from spring.jackson.*). A copy: the resolver
     * registers a module of its own on the mapper it is given, and the HTTP mapper must not change for it.
     */
    @Bean
    public ModelResolver modelResolver(ObjectMapper mapper) {
        return new ModelResolver(mapper.copy());
    }

    @Bean
    public OpenAPI tollgateApi(@Value("${tollgate.version:unknown}") String version) {
        return new OpenAPI()
                .info(new Info().title("Tollgate").version(version).description(
                        "An event-sourced credit ledger with a metered gateway in front of Cloudflare Workers AI. "
                                + "JSON names are snake_case; amounts are decimal strings in USD. Every error except "
                                + "on the drop-in surfaces (/v1, /client/v4, which answer in their vendors' shapes) is "
                                + "{\"error\":{\"code\",\"message\",\"request_id\"}}."))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").bearerFormat("JWT or API key")
                                .description("Authorization: Bearer <login token or API key>"))
                        .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.HEADER).name("X-API-Key")
                                .description("An API key, as an alternative to Authorization: Bearer"))
                        .addSchemas(ERROR, errorSchema())
                        .addResponses(ERROR, new ApiResponse()
                                .description("Refused or failed, in the one error shape; the code says why.")
                                .content(json(new Schema<>().$ref(ERROR_REF)))))
                // Two requirements: either one will do.
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .addSecurityItem(new SecurityRequirement().addList(API_KEY));
    }

    /**
     * Every operation of Tollgate's own API may answer 4xx and 5xx in the one error shape; the drop-in surfaces are
     * left out, because they answer in their vendors' shapes.
     */
    @Bean
    public OpenApiCustomizer errorResponses() {
        return api -> api.getPaths().forEach((path, item) -> {
            if (!path.startsWith("/api/")) {
                return;
            }
            item.readOperations().forEach(operation -> {
                ApiResponses responses = operation.getResponses();
                responses.putIfAbsent("4XX", new ApiResponse().$ref(ERROR_RESPONSE_REF));
                responses.putIfAbsent("5XX", new ApiResponse().$ref(ERROR_RESPONSE_REF));
            });
        });
    }

    /**
     * The paths that take a model id as their last part are mapped as {@code …/**} (the id holds slashes, sent raw or
     * URL-encoded); springdoc would describe them so, as a literal {@code **} that no client can call and no
     * generator can fill in. They are described as the contract writes them, with the id as a path parameter.
     */
    @Bean
    public OpenApiCustomizer modelIdPaths() {
        return api -> {
            if (api.getPaths() == null) {
                return;
            }
            io.swagger.v3.oas.models.Paths paths = new io.swagger.v3.oas.models.Paths();
            api.getPaths().forEach((path, item) -> {
                if (!path.endsWith("/**")) {
                    paths.addPathItem(path, item);
                    return;
                }
                item.readOperations().forEach(operation -> operation.addParametersItem(
                        new io.swagger.v3.oas.models.parameters.PathParameter().name(MODEL).required(true)
                                .description("The full model id, such as @cf/meta/llama-3.1-8b-instruct: raw, or "
                                        + "URL-encoded (%40cf%2Fmeta%2F…) as Cloudflare's SDK sends it.")
                                .schema(string(null))));
                paths.addPathItem(path.substring(0, path.length() - 2) + "{" + MODEL + "}", item);
            });
            paths.setExtensions(api.getPaths().getExtensions());
            api.setPaths(paths);
        };
    }

    private static final String MODEL = "model";

    private static Schema<Object> errorSchema() {
        Schema<Object> detail = object();
        detail.addProperty("code", string("A stable code to act on, such as insufficient_funds or not_found."));
        detail.addProperty("message", string("What went wrong, written for people."));
        detail.addProperty("request_id", string("Tollgate's id of the request; quote it when reporting a problem."));
        detail.setRequired(List.of("code", "message", "request_id"));
        Schema<Object> error = object();
        error.setDescription("The one error shape of Tollgate's own API.");
        error.addProperty("error", detail);
        error.setRequired(List.of("error"));
        return error;
    }

    private static Schema<Object> object() {
        Schema<Object> schema = new Schema<>();
        schema.setTypes(Set.of("object"));
        schema.setType("object");
        return schema;
    }

    private static Schema<String> string(String description) {
        Schema<String> schema = new Schema<>();
        schema.setTypes(Set.of("string"));
        schema.setType("string");
        schema.setDescription(description);
        return schema;
    }

    private static Content json(Schema<?> schema) {
        return new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                new MediaType().schema(schema));
    }
}
