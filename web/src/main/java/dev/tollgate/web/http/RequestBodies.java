package dev.tollgate.web.http;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Schema.RequiredMode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * The request bodies as the OpenAPI description shows them (ADR 41). The controllers never bind these: they read
 * each body as JSON themselves, strictly (an amount sent as a JSON number is refused, not rounded), so these records
 * are only the {@code implementation} of a body's schema and must be kept in step with what the controller reads.
 * Names are written in Java's camelCase and appear in snake_case, as every JSON name of the API.
 */
public final class RequestBodies {
    private static final String USD = "USD as a decimal string, never a JSON number";
    private static final String USD_OR_NULL = USD + "; null removes it";
    private static final String TIME = "a time with its offset";

    private RequestBodies() {
    }

    @Schema(description = "A new user; their account is opened with balance 0.")
    public record Register(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "ada@example.com") String email,
            @Schema(requiredMode = RequiredMode.REQUIRED, minLength = 8, maxLength = 72) String password,
            @Schema(maxLength = 100) String username) {
    }

    public record Login(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "ada@example.com") String email,
            @Schema(requiredMode = RequiredMode.REQUIRED) String password) {
    }

    @Schema(description = "Optional: no body, or {}, names the key \"default\". A body that is sent is a JSON object.")
    public record NewApiKey(@Schema(maxLength = 100, example = "ci") String name) {
    }

    @Schema(description = "Money from the caller's account (or, on /api/teams/{id}/transfer, the team's) to another.")
    public record Transfer(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "an email, a user id, or team:{id}",
                    example = "bob@example.com") String to,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = USD, example = "12.5") String amountUsd,
            @Schema(maxLength = 500) String note) {
    }

    @Schema(description = "An admin's deposit (from funding) or deduction (to adjustments).")
    public record MoneyMovement(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "a user's id or email, or team:{id}")
            String userId,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = USD, example = "25") String amountUsd,
            @Schema(maxLength = 500) String note) {
    }

    @Schema(description = "One message. An assistant's content may be null beside its tool_calls; a tool's result "
            + "names the call it answers in tool_call_id (ADR 44).")
    public record Message(
            @Schema(requiredMode = RequiredMode.REQUIRED, allowableValues = {"system", "user", "assistant", "tool"})
            String role,
            @Schema(description = "text; null only beside tool_calls") String content,
            @ArraySchema(arraySchema = @Schema(description = "an assistant's function calls, passed on as sent"))
            List<Map<String, Object>> toolCalls,
            @Schema(description = "on a tool message, the call it answers") String toolCallId) {
    }

    @Schema(description = "A metered chat. The sampling fields Workers AI documents are passed on when sent (ADR 40), "
            + "and so are tools (ADR 44).", requiredProperties = {"model", "messages"})
    public record Chat(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "@cf/meta/llama-3.1-8b-instruct") String model,
            @ArraySchema(minItems = 1) List<Message> messages,
            @Schema(minimum = "1", maximum = "32768", defaultValue = "256") Integer maxTokens,
            @Schema(minimum = "0", maximum = "5") BigDecimal temperature,
            BigDecimal topP, BigDecimal topK, BigDecimal seed, BigDecimal repetitionPenalty,
            BigDecimal frequencyPenalty, BigDecimal presencePenalty,
            @ArraySchema(arraySchema = @Schema(description = "function definitions, passed on to the model as sent; "
                    + "they count as input tokens")) List<Map<String, Object>> tools,
            @Schema(allowableValues = {"auto", "none"}, defaultValue = "auto",
                    description = "none: the tools are not sent; Workers AI offers no way to require a call")
            String toolChoice) {
    }

    @Schema(description = "A chat about an image: the chat's fields plus the image.",
            requiredProperties = {"model", "messages", "image"})
    public record VisionChat(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "@cf/meta/llama-3.2-11b-vision-instruct")
            String model,
            @ArraySchema(minItems = 1) List<Message> messages,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "base64, or a data URL") String image,
            @Schema(minimum = "1", maximum = "32768", defaultValue = "256") Integer maxTokens,
            @Schema(minimum = "0", maximum = "5") BigDecimal temperature) {
    }

    public record Embeddings(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "@cf/baai/bge-base-en-v1.5") String model,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "a text, or a list of texts (none empty)",
                    oneOf = {String.class, String[].class}) Object input,
            @Schema(description = "bge's pooling: mean (the default) or cls; the two give different vectors",
                    allowableValues = {"mean", "cls"}) String pooling) {
    }

    public record GenerateImage(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "@cf/black-forest-labs/flux-1-schnell")
            String model,
            @Schema(requiredMode = RequiredMode.REQUIRED) String prompt,
            @Schema(description = "diffusion steps, each priced") Integer steps,
            @Schema(description = "Stable Diffusion XL only: what to keep out of the picture") String negativePrompt,
            @Schema(description = "Stable Diffusion XL only, 256 to 2048 (default 1024); each 512×512 tile is priced")
            Integer width,
            @Schema(description = "Stable Diffusion XL only, 256 to 2048 (default 1024)") Integer height,
            @Schema(description = "Stable Diffusion XL only: how closely to follow the prompt") Double guidance,
            @Schema(description = "Stable Diffusion XL only: the same seed draws the same picture") Long seed) {
    }

    @Schema(description = "Changes the fields it names and keeps the others.")
    public record Budget(
            @Schema(description = USD_OR_NULL, example = "5") String dailyLimitUsd,
            @Schema(description = USD_OR_NULL, example = "100") String monthlyLimitUsd,
            @ArraySchema(arraySchema = @Schema(description = "whole percentages from 1 to 100; null for no alerts"),
                    maxItems = 10, schema = @Schema(minimum = "1", maximum = "100")) List<Integer> thresholdsPercent,
            @Schema(description = "refuse a call that could pass a limit") Boolean hardStop) {
    }

    public record UnitPriceChange(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "step") String unit,
            @Schema(requiredMode = RequiredMode.REQUIRED, description = USD, example = "0.001") String unitUsd) {
    }

    @Schema(description = "A list price from effective_at on (now when left out). A token-priced model takes "
            + "input_usd_per_m and/or output_usd_per_m; a unit-priced one unit_usd and/or units. A price left out "
            + "keeps what the list says when the change takes effect.")
    public record Price(
            @Schema(description = USD + ", per million input tokens", example = "0.282") String inputUsdPerM,
            @Schema(description = USD + ", per million output tokens", example = "0.827") String outputUsdPerM,
            @Schema(description = USD + ", for the model's first unit") String unitUsd,
            List<UnitPriceChange> units,
            @Schema(description = TIME, format = "date-time") String effectiveAt) {
    }

    public record Markup(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = "on every list price; 150 = 1.5 %",
                    minimum = "0", maximum = "100000") Integer basisPoints,
            @Schema(description = TIME + "; now when left out", format = "date-time") String effectiveAt) {
    }

    public record NewTeam(@Schema(requiredMode = RequiredMode.REQUIRED, maxLength = 100) String name) {
    }

    @Schema(description = "Adds a user to the team, or changes a member (fields left out are kept).")
    public record Member(
            @Schema(requiredMode = RequiredMode.REQUIRED) String email,
            @Schema(allowableValues = {"member", "owner"}, defaultValue = "member") String role,
            @Schema(description = "what all of the member's team keys together may spend; " + USD_OR_NULL)
            String spendCapUsd) {
    }

    @Schema(description = "Changes a member; fields left out are kept.")
    public record MemberChange(
            @Schema(allowableValues = {"member", "owner"}) String role,
            @Schema(description = USD_OR_NULL) String spendCapUsd) {
    }

    @Schema(description = "Optional: no body, or {}, makes the caller a key named \"default\". A body that is sent is "
            + "a JSON object. Only an owner names another member (user_id or email).")
    public record NewTeamKey(
            @Schema(maxLength = 100) String name,
            @Schema(description = "what the key may spend over its life; " + USD) String spendCapUsd,
            String userId,
            String email) {
    }

    public record KeyCap(
            @Schema(requiredMode = RequiredMode.REQUIRED, description = USD_OR_NULL) String spendCapUsd) {
    }

    @Schema(description = "Usage run on a provider directly, charged once per request_id (ADR 30).")
    public record UsageReport(
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "cloudflare") String provider,
            @Schema(requiredMode = RequiredMode.REQUIRED, example = "@cf/meta/llama-3.1-8b-instruct") String model,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "0", maximum = "1000000000") Long inputTokens,
            @Schema(requiredMode = RequiredMode.REQUIRED, minimum = "0", maximum = "1000000000") Long outputTokens,
            @Schema(requiredMode = RequiredMode.REQUIRED, maxLength = 200) String requestId,
            @Schema(description = TIME + ", within the last day; now when left out", format = "date-time")
            String at) {
    }
}
