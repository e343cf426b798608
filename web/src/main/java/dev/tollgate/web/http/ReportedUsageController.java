package dev.tollgate.web.http;

import dev.tollgate.web.ai.Payer;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.ledger.Fingerprint;
import dev.tollgate.web.security.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/usage}: usage the caller ran on a provider directly, reported to be charged to their account
 * (ADR 30). Charged once per {@code request_id}: the same report again answers the first charge (200), the same id
 * with other numbers is a 409.
 */
@RestController
public class ReportedUsageController {
    private static final int LONGEST_PROVIDER = 100;
    private static final long MOST_TOKENS = 1_000_000_000L;
    /** A clock ahead of ours by up to this much is still believed. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    private final MeteredCalls metered;
    private final IdempotentCalls idempotent;
    private final Clock clock;

    public ReportedUsageController(MeteredCalls metered, IdempotentCalls idempotent, Clock clock) {
        this.metered = metered;
        this.idempotent = idempotent;
        this.clock = clock;
    }

    public record ChargeView(String chargeId, String costUsd, String balanceUsd) {
    }

    @PostMapping("/api/usage")
    @ApiResponse(responseCode = "201", description = "Charged",
            content = @Content(schema = @Schema(implementation = ChargeView.class)))
    @ApiResponse(responseCode = "200", description = "Reported before with the same numbers: the first charge",
            content = @Content(schema = @Schema(implementation = ChargeView.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.UsageReport.class)))
    public ResponseEntity<JsonNode> report(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("The report must be a JSON object.");
        }
        // A label: the model decides the price, and only the price book's models are priced (others are a 404).
        String provider = Amounts.requiredText(body, "provider").trim().toLowerCase(Locale.ROOT);
        if (provider.isEmpty() || provider.length() > LONGEST_PROVIDER) {
            throw ApiException.badRequest("provider must name who ran the call, in at most " + LONGEST_PROVIDER
                    + " characters");
        }
        String model = Amounts.requiredText(body, "model");
        long input = tokens(body, "input_tokens");
        long output = tokens(body, "output_tokens");
        if (input + output == 0) {
            throw ApiException.badRequest("a report needs input_tokens or output_tokens above zero");
        }
        String requestId = Amounts.requiredText(body, "request_id");
        IdempotencyKey key = usageKey(requestId);
        Instant now = clock.instant();
        Instant at = at(body, now);
        String fingerprint = Fingerprint.of("reported-usage", provider, model, input, output,
                body.hasNonNull("at") ? at.toString() : "");
        Payer payer = caller.payer();
        AtomicBoolean charged = new AtomicBoolean();
        JsonNode answer;
        try {
            answer = idempotent.once(payer.idempotencyScope(), key, fingerprint, () -> {
                charged.set(true);
                String chargeId = "usage_" + UUID.randomUUID().toString().replace("-", "");
                MeteredCalls.Metered done = metered.reported(payer, model, input, output, requestId, at, chargeId);
                return new ChargeView(chargeId, done.cost().toUsdString(), done.balanceAfter().toUsdString());
            });
        } catch (IdempotencyConflictException reused) {
            // The key here is the report's request_id, not a header the caller sent: say so in their words.
            throw new IdempotencyConflictException("request_id " + requestId
                    + " was already reported with other numbers");
        } catch (ProviderException refused) {
            if (refused.kind() == ProviderException.Kind.BAD_INPUT) {
                // No provider is called for a report: a model priced per unit is the report's mistake, not upstream's.
                throw ApiException.badRequest(refused.getMessage());
            }
            throw refused;
        }
        return ResponseEntity.status(charged.get() ? HttpStatus.CREATED : HttpStatus.OK).body(answer);
    }

    /** Required, 0 included: a count left out is more likely a client's mistake than a call that used none. */
    private static long tokens(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            throw ApiException.badRequest(field + " is required, as a whole number from 0 to " + MOST_TOKENS);
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0
                || node.longValue() > MOST_TOKENS) {
            throw ApiException.badRequest(field + " must be a whole number from 0 to " + MOST_TOKENS);
        }
        return node.longValue();
    }

    private static IdempotencyKey usageKey(String requestId) {
        if (requestId.length() > 200) {
            throw ApiException.badRequest("request_id is longer than 200 characters");
        }
        try {
            return new IdempotencyKey("usage:" + requestId);
        } catch (IllegalArgumentException bad) {
            throw ApiException.badRequest("request_id must be printable ASCII without spaces");
        }
    }

    /**
     * When the usage happened: now, or the time given, which may not be in the future nor older than the day for
     * which a {@code request_id} is remembered (a report replayed after that could not be told from a new one).
     */
    private static Instant at(JsonNode body, Instant now) {
        Instant at = Amounts.optionalTime(body, "at");
        if (at == null) {
            return now;
        }
        if (at.isAfter(now.plus(SKEW))) {
            throw ApiException.badRequest("at cannot be in the future");
        }
        if (at.isBefore(now.minus(IdempotentCalls.MEMORY).plus(SKEW))) {
            throw ApiException.badRequest("at is too old: usage is reported within a day of when it ran");
        }
        return at;
    }
}
