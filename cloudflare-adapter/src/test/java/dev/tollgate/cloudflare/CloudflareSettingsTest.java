package dev.tollgate.cloudflare;

import org.junit.jupiter.api.Test;

import static dev.tollgate.cloudflare.FakeWorkersAi.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CloudflareSettingsTest {

    @Test
    void defaultsPointAtCloudflaresV4ApiWithTwoRetries() {
        CloudflareSettings settings = CloudflareSettings.defaults("acc", TOKEN);

        assertThat(settings.apiBase()).isEqualTo("https://api.cloudflare.com/client/v4");
        assertThat(settings.maxRetries()).isEqualTo(2);
    }

    @Test
    void theLongestCallIsEveryAttemptAtItsTimeoutAndTheLongestWaitsBetweenThem() {
        // given the defaults: three attempts of at most 180 s, and at most 2 s between two
        CloudflareSettings settings = CloudflareSettings.defaults("acc", TOKEN);

        // then a call takes at most 544 s: within the default hold of 600 s, so no call outlives its hold
        assertThat(settings.longestCall()).hasSeconds(544);
        assertThat(settings.withMaxRetries(0).longestCall()).hasSeconds(180);
    }

    @Test
    void blankApiBaseFallsBackToTheDefault() {
        CloudflareSettings settings = CloudflareSettings.defaults("acc", TOKEN).withApiBase(" ");

        assertThat(settings.apiBase()).isEqualTo(CloudflareSettings.DEFAULT_API_BASE);
    }

    @Test
    void printedSettingsNeverShowTheToken() {
        CloudflareSettings settings = CloudflareSettings.defaults("acc", TOKEN);

        assertThat(settings.toString()).doesNotContain(TOKEN).contains("[redacted]").contains("acc");
    }

    @Test
    void printedClientNeverShowsTheToken() {
        try (CloudflareWorkersAi workersAi = new CloudflareWorkersAi(CloudflareSettings.defaults("acc", TOKEN))) {
            assertThat(workersAi.toString()).doesNotContain(TOKEN);
        }
    }

    @Test
    void tokenWithALineBreakIsRefusedWithoutRepeatingIt() {
        IllegalArgumentException refused = catchThrowableOfType(
                () -> CloudflareSettings.defaults("acc", TOKEN + "\n"), IllegalArgumentException.class);

        assertThat(refused.getMessage()).doesNotContain(TOKEN);
    }

    @Test
    void missingAccountIdIsRefused() {
        IllegalArgumentException refused = catchThrowableOfType(
                () -> CloudflareSettings.defaults(" ", TOKEN), IllegalArgumentException.class);

        assertThat(refused.getMessage()).contains("CLOUDFLARE_ACCOUNT_ID");
    }

    @Test
    void missingTokenIsRefusedNamingTheVariableTollgateReads() {
        IllegalArgumentException refused = catchThrowableOfType(
                () -> CloudflareSettings.defaults("acc", " "), IllegalArgumentException.class);

        assertThat(refused.getMessage()).contains("CLOUDFLARE_API_KEY");
    }

    @Test
    void negativeRetriesAreRefused() {
        IllegalArgumentException refused = catchThrowableOfType(
                () -> CloudflareSettings.defaults("acc", TOKEN).withMaxRetries(-1), IllegalArgumentException.class);

        assertThat(refused.getMessage()).contains("maxRetries");
    }
}
