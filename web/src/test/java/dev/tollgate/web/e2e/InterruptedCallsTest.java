package dev.tollgate.web.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.web.ai.MeteredCalls;
import dev.tollgate.web.ai.Payer;
import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import org.junit.jupiter.api.Test;

/**
 * A stopping server interrupts its request threads. A stream interrupted after output reached the caller is settled
 * for that output, and the caller learns what it was charged — not a failure that would give its Idempotency-Key
 * back for the retry to pay again.
 */
class InterruptedCallsTest extends BehindFakeWorkersAi {
    private static final String MODEL = "@cf/meta/llama-3.1-8b-instruct";

    @Test
    void aStreamWhoseThreadIsInterruptedAfterItsFirstWordsIsChargedForThemAndSaysSo() throws Exception {
        // given a funded user, and a stream whose second half comes a moment after its first
        Funded user = funded("1");
        workersAi.enqueue(new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/event-stream")
                .setBody("data: {\"response\":\"Hello\"}\n\n"));
        MeteredCalls metered = app.bean(MeteredCalls.class);
        ChatRequest chat = new ChatRequest(MODEL, List.of(new ChatMessage("user", "Say hello")), 50, null);

        // when the thread serving it is interrupted as the first words are passed on (as a stopping server does)
        CompletableFuture<Object[]> served = CompletableFuture.supplyAsync(() -> {
            MeteredCalls.PartlyCharged failure = catchThrowableOfType(
                    () -> metered.chatStream(Payer.of(AccountId.of(user.id())), chat, "req-interrupted",
                            delta -> Thread.currentThread().interrupt()),
                    MeteredCalls.PartlyCharged.class);
            return new Object[] {failure, Thread.currentThread().isInterrupted()};
        });
        Object[] outcome = served.get(60, TimeUnit.SECONDS);

        // then the call ends as broken, with the charge for what was produced booked and named, and the thread
        // still marked as interrupted for the server to see
        MeteredCalls.PartlyCharged failure = (MeteredCalls.PartlyCharged) outcome[0];
        assertThat(failure).as("a broken stream that names its charge").isNotNull();
        assertThat(failure.charged().cost().isPositive()).isTrue();
        assertThat(outcome[1]).isEqualTo(true);
        String balance = http.get("/api/credits/balance", user.token()).body().get("balance_usd").asText();
        assertThat(BigDecimal.ONE.subtract(new BigDecimal(balance)))
                .isEqualByComparingTo(failure.charged().cost().toUsdString());
        assertThat(http.get("/api/credits/balance", user.token()).body().get("held_usd").asText()).isEqualTo("0");
    }
}
