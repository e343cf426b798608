package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import java.time.ZoneOffset;
import java.time.Instant;
import java.time.Clock;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.TOKEN;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The errors table of the Workers AI reference, row by row: which Kind, and whether a retry is spent on it. */
@Timeout(5)
class CloudflareWorkersAiErrorsTest {

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client(fake.settings().withMaxRetries(1));

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    @ParameterizedTest(name = "HTTP {0} code {1} -> {2}, retried: {3}")
    @CsvSource({
            "400, 5006, BAD_INPUT,       false",
            "400, 5007, MODEL_NOT_FOUND, false",
            "400, 5004, BAD_INPUT,       false",
            "400, 3003, BAD_INPUT,       false",
            "401, 10000, AUTHENTICATION, false",
            "403, 10000, AUTHENTICATION, false",
            "403, 5016, UPSTREAM,        false",
            "403, 3023, UPSTREAM,        false",
            "404, 3042, MODEL_NOT_FOUND, false",
            "404, 7003, UPSTREAM,        false",
            "408, 3007, TIMEOUT,         true",
            "408, 3008, TIMEOUT,         true",
            "413, 3006, TOO_LARGE,       false",
            "429, 3021, RATE_LIMITED,    true",
            "429, 3040, RATE_LIMITED,    true",
            "429, 3036, RATE_LIMITED,    false",
            "429, 4006, RATE_LIMITED,    false",
            "500,     , UPSTREAM,        true",
            "502,     , UPSTREAM,        true",
            "503, 1000, UPSTREAM,        true",
    })
    void cloudflareErrorIsClassifiedAndRetriedOnlyWhenTheTableAllows(int status, Integer code, Kind kind,
                                                                    boolean retried) {
        fake.answer(error(status, code, "AiError: something about " + status));
        fake.answer(error(status, code, "AiError: something about " + status));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(kind);
        assertThat(failure.upstreamStatus()).isEqualTo(status);
        assertThat(failure.upstreamCode()).isEqualTo(code);
        assertThat(fake.server.getRequestCount()).isEqualTo(retried ? 2 : 1);
        if (code != null && status < 500) {
            assertThat(failure.getMessage()).contains("(code " + code + ")");
        }
        assertThat(failure.getMessage()).doesNotContain(TOKEN);
    }

    @Test
    void couldNotRouteIsTheOperatorsProblemAndNamesNoSetting() {
        fake.answer(error(404, 7003, "Could not route to /client/v4/accounts/x/ai/run, perhaps your object "
                + "identifier is invalid?"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(ProviderException.Kind.UPSTREAM);
        assertThat(failure.getMessage()).contains("operator").doesNotContain("CLOUDFLARE_");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @CsvSource({"401", "403"})
    void refusedCredentialsAreSaidPlainlyWithNothingAboutTollgatesConfiguration(int status) {
        // given a Workers AI that refuses Tollgate's own token
        fake.answer(error(status, 10000, "Authentication error"));

        // when a chat is sent
        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        // then the message says what happened, and names no setting (that hint is for the operator's log)
        assertThat(failure.getMessage()).isEqualTo("Workers AI refused Tollgate's credentials (code 10000)");
    }

    @Test
    void rateLimitMessageIsWrittenForTheClient() {
        fake.answer(error(429, 3021, "Capacity temporarily exceeded"));
        fake.answer(error(429, 3021, "Capacity temporarily exceeded"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.getMessage()).isEqualTo("Workers AI is rate limiting this account (code 3021)");
    }

    @Test
    void aShortTokenIsNotCutOutOfTollgatesOwnWords() throws IOException {
        // given an operator whose token is a single letter, one that Tollgate's own message contains
        CloudflareSettings s = fake.settings();
        fake.answer(error(500, null, "internal"));
        try (CloudflareWorkersAi shortToken = fake.client(new CloudflareSettings(s.apiBase(), s.accountId(), "k",
                s.connectTimeout(), s.readTimeout(), s.callTimeout(), 0, s.catalogTtl()))) {

            // when the upstream fails
            ProviderException failure = catchThrowableOfType(() -> shortToken.chat(question(null)),
                    ProviderException.class);

            // then the message reads as written
            assertThat(failure.getMessage()).startsWith("Workers AI failed with HTTP 500")
                    .doesNotContain("[redacted]");
        }
    }

    @Test
    void badInputCarriesCloudflaresReasonButNeverTheToken() {
        fake.answer(error(400, 5006, "AiError: Bad input: header was Bearer " + TOKEN));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.getMessage()).contains("Bad input").doesNotContain(TOKEN).contains("[redacted]");
    }

    @Test
    void dailyAllocationWithoutRetryAfterTellsTheClientToWaitUntilMidnightUtc() throws Exception {
        // given Workers AI at 23:00 UTC, its daily allocation used up, and no Retry-After of its own
        Clock elevenPm = Clock.fixed(Instant.parse("2026-11-23T23:00:00Z"), ZoneOffset.UTC);
        fake.answer(error(429, 4006, "you have used up your daily free allocation of 10,000 neurons"));
        try (CloudflareWorkersAi client = new CloudflareWorkersAi(fake.settings(), elevenPm, FakeWorkersAi.QUICK_BACKOFF)) {

            // when a chat is refused for it
            ProviderException failure = catchThrowableOfType(() -> client.chat(question(null)),
                    ProviderException.class);

            // then the caller is told to come back at 00:00 UTC, an hour on, and the call was not repeated
            assertThat(failure.kind()).isEqualTo(Kind.RATE_LIMITED);
            assertThat(failure.retryAfterSeconds()).isEqualTo(3600L);
            assertThat(fake.server.getRequestCount()).isEqualTo(1);
        }
    }

    @Test
    void dailyAllocationKeepsRetryAfterForTheClientAndIsNotRetried() {
        fake.answer(error(429, 4006, "you have used up your daily free allocation of 10,000 neurons")
                .setHeader("Retry-After", "3600"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(failure.retryAfterSeconds()).isEqualTo(3600L);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }
}
