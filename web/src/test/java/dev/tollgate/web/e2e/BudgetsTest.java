package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.QueueDispatcher;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Budgets over HTTP (ADR 27): read and set by the owner and by admins, enforced by a hard stop before the provider
 * is called, counted from real charges, and alerting at thresholds.
 */
class BudgetsTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";
    private static final String CHAT = "{\"model\":\"" + MODEL + "\",\"max_tokens\":100,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}";
    /** (136 × 282,000,000 + 10 × 827,000,000) / 1e6 = 46,622 nano-USD. */
    private static final String ANSWER = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":136,"
            + "\"completion_tokens\":10,\"total_tokens\":146}},\"success\":true,\"errors\":[]}";

    private Http.Answer put(String path, String token, String json) {
        return http.send("PUT", path, token, json, Map.of());
    }

    @Test
    void anAccountWithoutABudgetHasNoLimitsAndTheUsualThresholds() {
        Funded user = funded("1");

        JsonNode budget = http.get("/api/credits/budget", user.token()).body();

        assertThat(budget.has("daily_limit_usd")).isTrue();
        assertThat(budget.get("daily_limit_usd").isNull()).isTrue();
        assertThat(budget.get("monthly_limit_usd").isNull()).isTrue();
        assertThat(budget.get("thresholds_percent").toString()).isEqualTo("[50,80,100]");
        assertThat(budget.get("hard_stop").asBoolean()).isFalse();
        assertThat(budget.get("spent_today_usd").asText()).isEqualTo("0");
        assertThat(budget.get("spent_this_month_usd").asText()).isEqualTo("0");
    }

    @Test
    void aPutAnswersTheNewStateChangesOnlyTheFieldsItNamesAndNullRemovesALimit() {
        Funded user = funded("1");

        Http.Answer set = put("/api/credits/budget", user.token(),
                "{\"daily_limit_usd\":\"2.5\",\"monthly_limit_usd\":\"40\",\"thresholds_percent\":[90,50],"
                        + "\"hard_stop\":true}");
        Http.Answer onlyDaily = put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"3\"}");
        Http.Answer noMonthly = put("/api/credits/budget", user.token(), "{\"monthly_limit_usd\":null}");

        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(set.body().get("daily_limit_usd").asText()).isEqualTo("2.5");
        assertThat(set.body().get("monthly_limit_usd").asText()).isEqualTo("40");
        assertThat(set.body().get("thresholds_percent").toString()).isEqualTo("[50,90]");
        assertThat(set.body().get("hard_stop").asBoolean()).isTrue();
        assertThat(onlyDaily.body().get("daily_limit_usd").asText()).isEqualTo("3");
        assertThat(onlyDaily.body().get("monthly_limit_usd").asText()).isEqualTo("40");
        assertThat(onlyDaily.body().get("hard_stop").asBoolean()).isTrue();
        assertThat(noMonthly.body().get("monthly_limit_usd").isNull()).isTrue();
        assertThat(http.get("/api/credits/budget", user.token()).body()).isEqualTo(noMonthly.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"daily_limit_usd\":\"abc\"}", "{\"daily_limit_usd\":\"-1\"}",
            "{\"daily_limit_usd\":1.5}", "{\"daily_limit_usd\":\"1e3\"}", "{\"daily_limit_usd\":\"0.0000000001\"}",
            "{\"monthly_limit_usd\":\"99999999999999999999\"}", "{\"thresholds_percent\":[0]}",
            "{\"thresholds_percent\":[101]}", "{\"thresholds_percent\":[50,50]}", "{\"thresholds_percent\":[\"50\"]}",
            "{\"thresholds_percent\":50}", "{\"hard_stop\":\"yes\"}", "[]",
            "{\"daily_limit_usd\":\"1\",\"hard_stop\":1}"})
    void badInputIsA400AndChangesNothing(String body) {
        Funded user = funded("1");
        put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"5\"}");
        JsonNode before = http.get("/api/credits/budget", user.token()).body();

        Http.Answer refused = put("/api/credits/budget", user.token(), body);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body().get("error").get("request_id").asText()).isNotBlank();
        assertThat(refused.raw()).doesNotContain("Exception").doesNotContain("dev.tollgate");
        assertThat(http.get("/api/credits/budget", user.token()).body()).isEqualTo(before);
    }

    @Test
    void aHardStopRefusesTheCallBeforeTheProviderOnEverySurface() throws InterruptedException {
        // given a user with money but a daily budget below what one call may cost
        Funded user = funded("1");
        put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"0.00001\",\"hard_stop\":true}");

        // when they call through Tollgate's API, the OpenAI surface and the Cloudflare surface
        Http.Answer own = http.post("/api/ai/chat", user.token(), CHAT);
        Http.Answer openAi = http.post("/v1/chat/completions", user.token(), CHAT);
        Http.Answer cloudflare = http.post("/client/v4/accounts/any/ai/run/" + MODEL, user.token(),
                "{\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Why is pizza so good?\"}]}");

        // then each is a 402 budget_exceeded, nothing reached the provider and no money moved or is held
        assertThat(own.status()).as(own.toString()).isEqualTo(402);
        assertThat(own.errorCode()).isEqualTo("budget_exceeded");
        assertThat(own.body().get("error").get("message").asText()).contains("daily budget");
        assertThat(openAi.status()).as(openAi.toString()).isEqualTo(402);
        assertThat(openAi.errorCode()).isEqualTo("budget_exceeded");
        assertThat(cloudflare.status()).as(cloudflare.toString()).isEqualTo(402);
        assertThat(cloudflare.raw()).contains("budget_exceeded");
        assertThat(workersAi.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
        JsonNode balance = http.get("/api/credits/balance", user.token()).body();
        assertThat(balance.get("balance_usd").asText()).isEqualTo("1");
        assertThat(balance.get("held_usd").asText()).isEqualTo("0");
    }

    @Test
    void chargesCountAsSpentAndCrossingThresholdsRaisesAlerts() {
        // given a daily limit just above one call's cost, alerts at 50/80/100 % and no hard stop
        Funded user = funded("1");
        put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"0.00005\"}");
        workersAi.enqueue(json200(ANSWER));

        // when one call is charged 0.000046622 (93 % of the limit)
        Http.Answer chat = http.post("/api/ai/chat", user.token(), CHAT);

        // then the day and month show it, the 50 % and 80 % alerts are raised, and the events say so
        assertThat(chat.status()).as(chat.toString()).isEqualTo(200);
        JsonNode budget = http.get("/api/credits/budget", user.token()).body();
        assertThat(budget.get("spent_today_usd").asText()).isEqualTo("0.000046622");
        assertThat(budget.get("spent_this_month_usd").asText()).isEqualTo("0.000046622");
        assertThat(budget.get("daily_thresholds_crossed").toString()).isEqualTo("[50,80]");
        JsonNode events = http.get("/api/admin/accounts/" + user.id() + "/events", admin).body();
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.get("type").asText()));
        assertThat(types).containsSubsequence("BudgetSet", "ReservationSettled", "BudgetThresholdCrossed",
                "BudgetThresholdCrossed");
        assertThat(http.get("/actuator/prometheus", null).raw())
                .containsPattern("tollgate_budget_alerts_total\\{[^}]*period=\"daily\"[^}]*} [1-9]");
    }

    @Test
    void concurrentCallsUnderAHardStopNeverSpendPastTheLimit() throws Exception {
        // given a budget for a few calls, and a provider that answers each call the same way
        Funded user = funded("1");
        put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"0.0003\",\"hard_stop\":true}");
        AtomicInteger upstreamCalls = new AtomicInteger();
        workersAi.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                upstreamCalls.incrementAndGet();
                return json200("{\"result\":{\"response\":\"ok\",\"usage\":{\"prompt_tokens\":20,"
                        + "\"completion_tokens\":50,\"total_tokens\":70}},\"success\":true,\"errors\":[]}");
            }
        });
        try {
            // when 30 calls arrive at once
            int ok = burstOfChats(user.token(), CHAT, 30);

            // then the day's spend is exactly the charged calls and within the limit; the refused never ran
            BigDecimal spent = new BigDecimal(http.get("/api/credits/budget", user.token()).body()
                    .get("spent_today_usd").asText());
            assertThat(ok).isPositive().isLessThan(30);
            assertThat(upstreamCalls.get()).isEqualTo(ok);
            assertThat(spent).isEqualByComparingTo(new BigDecimal("0.00004699").multiply(BigDecimal.valueOf(ok)))
                    .isLessThanOrEqualTo(new BigDecimal("0.0003"));
            JsonNode balance = http.get("/api/credits/balance", user.token()).body();
            assertThat(new BigDecimal(balance.get("balance_usd").asText()))
                    .isEqualByComparingTo(BigDecimal.ONE.subtract(spent));
            assertThat(balance.get("held_usd").asText()).isEqualTo("0");
        } finally {
            workersAi.setDispatcher(new QueueDispatcher());
        }
    }

    @Test
    void budgetEventsMoveTheReadModelsSoReadersOfTheAccountNeverWaitForThem() {
        // given a budget set and a charge that raises an alert: events that record no line in history or usage
        Funded user = funded("1");
        put("/api/credits/budget", user.token(), "{\"daily_limit_usd\":\"0.00005\"}");
        workersAi.enqueue(json200(ANSWER));
        assertThat(http.post("/api/ai/chat", user.token(), CHAT).status()).isEqualTo(200);
        put("/api/credits/budget", user.token(), "{\"monthly_limit_usd\":\"7\"}");

        // then history and usage still reach the account's last event (their readers wait for exactly that)
        long version = app.bean(dev.tollgate.web.ledger.Ledger.class)
                .state(dev.tollgate.api.account.AccountId.of(user.id())).version();
        var history = app.bean(dev.tollgate.query.history.HistoryQueries.class);
        var usage = app.bean(dev.tollgate.query.usage.UsageQueries.class);
        assertThat(dev.tollgate.web.ledger.CatchUp.await(() -> history.recordedUpTo(user.id()) >= version
                && usage.recordedUpTo(user.id()) >= version, 10_000)).as("read models at version " + version).isTrue();
    }

    @Test
    void adminsReadAndSetAnyAccountsBudgetAndUsersCannot() {
        Funded user = funded("1");
        Funded other = funded("1");

        Http.Answer set = put("/api/admin/accounts/" + user.id() + "/budget", admin,
                "{\"monthly_limit_usd\":\"12\",\"hard_stop\":true}");
        Http.Answer read = http.get("/api/admin/accounts/" + user.id() + "/budget", admin);
        Http.Answer byUser = put("/api/admin/accounts/" + user.id() + "/budget", other.token(),
                "{\"monthly_limit_usd\":\"1000\"}");
        Http.Answer unknown = http.get("/api/admin/accounts/no-such-user/budget", admin);

        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(read.body().get("monthly_limit_usd").asText()).isEqualTo("12");
        assertThat(http.get("/api/credits/budget", user.token()).body().get("monthly_limit_usd").asText())
                .isEqualTo("12");
        assertThat(byUser.status()).isEqualTo(403);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(http.get("/api/credits/budget", user.token()).body().get("monthly_limit_usd").asText())
                .isEqualTo("12");
    }
}
