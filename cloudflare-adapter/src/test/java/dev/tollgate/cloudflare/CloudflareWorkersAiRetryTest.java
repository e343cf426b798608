package dev.tollgate.cloudflare;

import dev.tollgate.cloudflare.HangingUpServer.HangUp;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import dev.tollgate.domain.metering.TranscriptionRequest;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.SocketPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.eventStream;
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

    @Test
    void aConnectionClosedAfterTheWholeRequestWasReadIsPassedOnAndNeverRetried() {
        // given a Workers AI that reads the whole chat request, then closes the connection without answering
        fake.answer(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        fake.answer(envelope("a second run of the same call, billed again", usage(1, 3)));

        // when the chat is sent
        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        // then Workers AI saw the call once, and the caller hears the connection broke with no answer
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamStatus()).isZero();
        assertThat(failure.partial()).isNull();
    }

    @Test
    void aStreamWhoseConnectionClosesAfterTheRequestWasReadIsPassedOnAndNeverRetried() {
        // given a Workers AI that reads the whole streamed request, then closes the connection before any event
        fake.answer(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        fake.answer(eventStream("{\"response\":\"a second run, billed again\"}", "[DONE]"));

        // when the stream is asked for
        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), text -> { }),
                ProviderException.class);

        // then nothing is tried again
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
    }

    @Test
    void aCatalogRequestWhoseConnectionClosesAfterItWasReadIsPassedOnAndNeverRetried() {
        // given a Workers AI that reads the catalog request (a GET, so no body), then closes without answering
        fake.answer(new MockResponse().setSocketPolicy(SocketPolicy.DISCONNECT_AFTER_REQUEST));
        fake.answer(FakeWorkersAi.json(200, "{\"success\":true,\"result\":[]}"));

        // when the models are listed
        ProviderException failure = catchThrowableOfType(workersAi::models, ProviderException.class);

        // then the request was sent once: a request without a body is complete with its head
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
    }

    @Test
    void aCallOnAPooledConnectionTheServerClosedWhileIdleIsSentAgainOnANewOne() {
        // given a Workers AI that answers a first call and then closes that connection while it waits in the pool
        fake.answer(envelope("first", usage(1, 1)).setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
        fake.answer(envelope("second", usage(1, 1)));
        assertThat(workersAi.chat(question(null)).text()).isEqualTo("first");

        // when the next call goes out on that pooled connection and finds it closed
        ChatCompletion second = workersAi.chat(question(null));

        // then it is sent again on a new connection and answered: the closed one never carried it to anyone
        assertThat(second.text()).isEqualTo("second");
        assertThat(fake.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void aConnectionResetAfterTheWholeRequestWasReadIsPassedOnAndNeverRetried() throws IOException {
        // given a Workers AI that reads the whole chat request, then resets the connection
        try (HangingUpServer resetting = new HangingUpServer(HangUp.RESETS_AFTER_THE_REQUEST);
             CloudflareWorkersAi client = fake.client(fake.settings().withApiBase(resetting.apiBase()))) {

            // when the chat is sent
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then the call reached Workers AI once and was not repeated
            assertThat(resetting.requestsRead()).isEqualTo(1);
            assertThat(resetting.connections()).isEqualTo(1);
            assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
            assertThat(failure.upstreamStatus()).isZero();
        }
    }

    @Test
    void anUploadThatStallsBeforeTheWholeRequestIsWrittenIsRetried() throws IOException {
        // given a Workers AI that reads a request's head and never its body, and a recording far larger than
        // the sockets' buffers, so the upload cannot finish before the call timeout
        byte[] longRecording = new byte[32 * 1024 * 1024];
        try (HangingUpServer stalling = new HangingUpServer(HangUp.STOPS_READING_AFTER_THE_HEAD);
             CloudflareWorkersAi client = fake.client(fake.settings().withApiBase(stalling.apiBase())
                     .withTimeouts(Duration.ofMillis(250), Duration.ofMillis(250), Duration.ofMillis(400)))) {

            // when the transcription is sent and every upload times out part way
            ProviderException failure = catchThrowableOfType(
                    () -> client.transcribe(new TranscriptionRequest("@cf/openai/whisper", longRecording)),
                    ProviderException.class);

            // then each retry was spent, since Workers AI never had the whole call to run
            assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(stalling.connections()).isEqualTo(fake.settings().maxRetries() + 1);
        }
    }

    @Test
    void aConnectionDroppedBeforeAnyRequestCouldBeWrittenIsRetried() throws IOException {
        // given a server that hangs up during the TLS handshake, so no request is ever written
        try (HangingUpServer hangingUp = new HangingUpServer(HangUp.CLOSES_BEFORE_THE_HANDSHAKE);
             CloudflareWorkersAi client = fake.client(fake.settings().withApiBase(hangingUp.apiBase()))) {

            // when the chat is sent
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then each retry was spent, since Workers AI never saw the call
            assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
            assertThat(hangingUp.connections()).isEqualTo(fake.settings().maxRetries() + 1);
        }
    }

    @Test
    void aRefusedConnectionIsRetried() throws IOException {
        // given an address where nothing listens, and a backoff that counts its waits
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = gone.getLocalPort();
        }
        AtomicInteger waits = new AtomicInteger();
        Backoff counting = new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), () -> {
            waits.incrementAndGet();
            return 0.5;
        });
        try (CloudflareWorkersAi client = new CloudflareWorkersAi(
                fake.settings().withApiBase("http://127.0.0.1:" + closedPort + "/client/v4"), Clock.systemUTC(),
                counting)) {

            // when the chat is sent
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then every retry was waited for and spent
            assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
            assertThat(waits.get()).isEqualTo(fake.settings().maxRetries());
        }
    }

    @Test
    void aRateLimitAskingForLongerThanTheLongestBackoffIsPassedOnWithItsRetryAfterAndNotRetried() {
        // given a 429 whose Retry-After is beyond the client's longest wait
        fake.answer(error(429, 3021, "Capacity temporarily exceeded").setHeader("Retry-After", "30"));
        fake.answer(envelope("too soon: Cloudflare asked for 30 s", usage(1, 1)));

        // when the chat is sent
        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        // then the wait is the caller's to make: one request, and the 429 carries Cloudflare's 30 s
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
        assertThat(failure.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(failure.retryAfterSeconds()).isEqualTo(30L);
    }

    @Test
    void aRetryAfterGivenAsAnHttpDateIsReadAsTheSecondsUntilThen() throws IOException {
        // given a 429 that asks to come back at a date 30 s from now
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        fake.answer(error(429, 3021, "Capacity temporarily exceeded").setHeader("Retry-After", httpDate(now, 30)));
        fake.answer(envelope("too soon: Cloudflare asked for 30 s", usage(1, 1)));

        try (CloudflareWorkersAi client = new CloudflareWorkersAi(fake.settings(), Clock.fixed(now, ZoneOffset.UTC),
                FakeWorkersAi.QUICK_BACKOFF)) {
            // when the chat is sent
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then the date is 30 s away: passed on, not retried
            assertThat(fake.server.getRequestCount()).isEqualTo(1);
            assertThat(failure.retryAfterSeconds()).isEqualTo(30L);
        }
    }

    @Test
    void aRetryAfterWithinTheLongestBackoffIsWaitedOutInFullBeforeTheRetry() throws IOException {
        // given a client that waits up to 2 s, and a 429 that asks (as a date) for 1 s
        Instant now = Instant.parse("2026-11-23T10:00:00Z");
        fake.answer(error(429, 3021, "Capacity temporarily exceeded").setHeader("Retry-After", httpDate(now, 1)));
        fake.answer(envelope("made it", usage(2, 2)));
        Backoff upToTwoSeconds = new Backoff(Duration.ofMillis(5), Duration.ofSeconds(2), () -> 0.5);

        try (CloudflareWorkersAi client = new CloudflareWorkersAi(fake.settings(), Clock.fixed(now, ZoneOffset.UTC),
                upToTwoSeconds)) {
            // when the chat is sent
            long started = System.nanoTime();
            ChatCompletion completion = client.chat(question(null));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            // then the retry came no sooner than asked, and succeeded
            assertThat(completion.text()).isEqualTo("made it");
            assertThat(fake.server.getRequestCount()).isEqualTo(2);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }

    private static String httpDate(Instant now, long secondsLater) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(secondsLater).atOffset(ZoneOffset.UTC));
    }
}
