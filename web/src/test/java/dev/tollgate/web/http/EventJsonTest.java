package dev.tollgate.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.config.AxonConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stored events, written by the event store's own mapper, read out in the API's JSON conventions (ADR 38). */
class EventJsonTest {
    private static final ObjectMapper STORE = new AxonConfig().defaultAxonObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-23T08:46:48.691123456Z");

    @Test
    void aDepositReadsInSnakeCaseWithUsdAmountsAndPlainIds() throws Exception {
        // given a deposit as the event store keeps it, with an idempotency key
        JsonNode stored = STORE.readTree(STORE.writeValueAsBytes(new CreditsDeposited(AccountId.of("u-1"), "dep_1",
                Money.ofNanos(10_500_000_000L), Money.ofNanos(-3_000_000L), null, "admin-1",
                Intent.of(new IdempotencyKey("first-topup"), "fp"), AT)));

        // when it is rendered for the API
        JsonNode rendered = EventJson.render(stored, STORE.getNodeFactory());

        // then names are snake_case, money is a USD string, ids are plain strings, and nothing else changes
        assertThat(rendered.get("account_id").asText()).isEqualTo("u-1");
        assertThat(rendered.get("entry_id").asText()).isEqualTo("dep_1");
        assertThat(rendered.get("amount").isTextual()).isTrue();
        assertThat(rendered.get("amount").asText()).isEqualTo("10.5");
        assertThat(rendered.get("balance_after").asText()).isEqualTo("-0.003");
        assertThat(rendered.get("note").isNull()).isTrue();
        assertThat(rendered.get("intent").get("key").asText()).isEqualTo("first-topup");
        assertThat(rendered.get("intent").get("fingerprint").asText()).isEqualTo("fp");
        assertThat(rendered.get("at").asText()).isEqualTo(stored.get("at").asText());
        assertThat(rendered.toString()).doesNotContain("nanos", "value", "accountId", "balanceAfter");
    }

    @Test
    void aSettlementsNestedChargeAndItsUnitsReadTheSameWay() throws Exception {
        // given a settlement whose charge was priced on tokens and on image tiles
        Charge charge = new Charge("@cf/model", 136, 10, TokenSource.PROVIDER, Money.ofNanos(500_000_000L),
                Money.ofNanos(1_500_000_000L), Money.ofNanos(83_000L), "req_1",
                List.of(new ChargedUnits("image_tile", 4, Money.ofNanos(52_800L), 1)));
        JsonNode stored = STORE.readTree(STORE.writeValueAsBytes(new ReservationSettled(AccountId.of("team:t-1"),
                "hold_1", charge, Money.ofNanos(83_000L), Money.ZERO, Money.ofUsd(2), Money.ZERO, AT)));

        // when it is rendered
        JsonNode rendered = EventJson.render(stored, STORE.getNodeFactory());

        // then every level follows the conventions, arrays included
        assertThat(rendered.get("account_id").asText()).isEqualTo("team:t-1");
        assertThat(rendered.get("charge").get("input_tokens").asLong()).isEqualTo(136);
        assertThat(rendered.get("charge").get("token_source").asText()).isEqualTo("PROVIDER");
        assertThat(rendered.get("charge").get("input_price_per_million").asText()).isEqualTo("0.5");
        assertThat(rendered.get("charge").get("output_price_per_million").asText()).isEqualTo("1.5");
        assertThat(rendered.get("charge").get("cost").asText()).isEqualTo("0.000083");
        assertThat(rendered.get("charge").get("units").get(0).get("price").asText()).isEqualTo("0.0000528");
        assertThat(rendered.get("charge").get("units").get(0).get("quantity").asLong()).isEqualTo(4);
        assertThat(rendered.get("released").asText()).isEqualTo("0");
        assertThat(rendered.get("balance_after").asText()).isEqualTo("2");
        assertThat(rendered.get("partial").asBoolean()).isFalse();
    }

    @Test
    void metadataKeysAreSnakeCaseAndTheirValuesUnchanged() throws Exception {
        JsonNode stored = STORE.readTree("{\"traceId\":\"t-1\",\"correlationId\":\"c-1\"}");

        JsonNode rendered = EventJson.render(stored, STORE.getNodeFactory());

        assertThat(rendered.toString()).isEqualTo("{\"trace_id\":\"t-1\",\"correlation_id\":\"c-1\"}");
    }
}
