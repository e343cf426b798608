package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(5)
class CloudflareWorkersAiRetryTest {

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client();

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    @Test
    void capacityLimitIsRetriedOnceAndThenSucceeds() {
        fake.answer(error(429, 3040, "No more capacity"));
        fake.answer(envelope("made it", usage(2, 2)));

        ChatCompletion completion = workersAi.chat(question(null));

        assertThat(completion.text()).isEqualTo("made it");
        assertThat(fake.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void dailyAllocationUsedUpIsNeverRetried() {
        fake.answer(error(429, 4006, "daily free allocation used up"));
        fake.answer(envelope("must not be reached", null));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void serverErrorsExhaustTheRetriesAndEndAsUpstream() {
        int maxRetries = fake.settings().maxRetries();
        for (int i = 0; i <= maxRetries + 1; i++) {
            fake.answer(error(500, null, null));
        }

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamStatus()).isEqualTo(500);
        assertThat(fake.server.getRequestCount()).isEqualTo(maxRetries + 1);
    }

    @Test
    void noAnswerWithinTheReadTimeoutAfterTheRequestWasSentIsATimeoutAtOnceAndNeverRetried() {
        // given a Workers AI that takes the request and never answers, and a client that could retry twice
        fake.answer(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        fake.answer(envelope("a second run of the same call, billed again", usage(1, 3)));

        // when the read timeout passes
        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        // then the call was sent once, and the caller hears of the timeout after one wait
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure.upstreamStatus()).isZero();
        assertThat(failure.partial()).isNull();
    }

    @Test
    void aStreamWhoseAnswerNeverStartsIsATimeoutAtOnceAndNeverRetried() {
        // given a Workers AI that takes the streamed request and never sends the answer's head
        fake.answer(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));
        fake.answer(envelope("a second run of the same call, billed again", usage(1, 3)));

        // when the read timeout passes
        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), text -> { }),
                ProviderException.class);

        // then nothing is tried again
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
    }

    @Test
    void aConnectionThatTimesOutBeforeTheRequestIsSentIsRetried() throws IOException {
        // given a server whose TLS handshake never completes, so no request can be written
        try (SilentServer silent = new SilentServer();
             CloudflareWorkersAi client = fake.client(fake.settings().withApiBase(silent.apiBase())
                     .withTimeouts(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofSeconds(2)))) {

            // when every attempt times out while connecting
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then each retry was spent, since Workers AI never saw the call
            assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(silent.connections()).isEqualTo(fake.settings().maxRetries() + 1);
        }
    }
}
