package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ModelInfo;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.StringJoiner;

import static dev.tollgate.cloudflare.FakeWorkersAi.ACCOUNT;
import static dev.tollgate.cloudflare.FakeWorkersAi.TOKEN;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(5)
class ModelCatalogTest {

    private static final String SEARCH_PATH = "/client/v4/accounts/" + ACCOUNT + "/ai/models/search";

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final MovableClock clock = new MovableClock();
    private final CloudflareWorkersAi workersAi =
            new CloudflareWorkersAi(fake.settings().withCatalogTtl(Duration.ofMinutes(5)), clock,
                    FakeWorkersAi.QUICK_BACKOFF);

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    private static String model(String name, String task) {
        return "{\"id\":\"" + name.hashCode() + "\",\"name\":\"" + name + "\",\"description\":\"a model\","
                + "\"task\":{\"id\":\"t\",\"name\":\"" + task + "\"},\"properties\":[]}";
    }

    private static MockResponse page(int page, int perPage, int totalCount, String... models) {
        StringJoiner result = new StringJoiner(",", "[", "]");
        for (String model : models) {
            result.add(model);
        }
        return json(200, "{\"success\":true,\"result\":" + result + ",\"errors\":[],\"messages\":[],"
                + "\"result_info\":{\"page\":" + page + ",\"per_page\":" + perPage + ",\"count\":" + models.length
                + ",\"total_count\":" + totalCount + "}}");
    }

    @Test
    void catalogFollowsEveryPageAndMapsNameAndTask() throws Exception {
        fake.answer(page(1, 2, 3, model("@cf/meta/llama-3.1-8b-instruct", "Text Generation"),
                model("@cf/baai/bge-base-en-v1.5", "Text Embeddings")));
        fake.answer(page(2, 2, 3, model("@cf/openai/whisper", "Automatic Speech Recognition")));

        List<ModelInfo> models = workersAi.models();

        assertThat(models).containsExactly(
                new ModelInfo("@cf/meta/llama-3.1-8b-instruct", "@cf/meta/llama-3.1-8b-instruct", "Text Generation"),
                new ModelInfo("@cf/baai/bge-base-en-v1.5", "@cf/baai/bge-base-en-v1.5", "Text Embeddings"),
                new ModelInfo("@cf/openai/whisper", "@cf/openai/whisper", "Automatic Speech Recognition"));
        RecordedRequest first = fake.takeRequest();
        assertThat(first.getMethod()).isEqualTo("GET");
        assertThat(first.getPath()).isEqualTo(SEARCH_PATH + "?per_page=100&page=1");
        assertThat(first.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(fake.takeRequest().getPath()).isEqualTo(SEARCH_PATH + "?per_page=100&page=2");
    }

    @Test
    void secondCallWithinTheTtlMakesNoRequest() {
        fake.answer(page(1, 100, 1, model("@cf/meta/llama-3.1-8b-instruct", "Text Generation")));

        List<ModelInfo> first = workersAi.models();
        clock.advance(Duration.ofMinutes(4));
        List<ModelInfo> second = workersAi.models();

        assertThat(second).isEqualTo(first);
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void callAfterTheTtlFetchesTheCatalogAgain() {
        fake.answer(page(1, 100, 1, model("@cf/meta/llama-3.1-8b-instruct", "Text Generation")));
        fake.answer(page(1, 100, 1, model("@cf/qwen/qwq-32b", "Text Generation")));

        workersAi.models();
        clock.advance(Duration.ofMinutes(5));
        List<ModelInfo> refreshed = workersAi.models();

        assertThat(refreshed).extracting(ModelInfo::id).containsExactly("@cf/qwen/qwq-32b");
        assertThat(fake.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void catalogThatClaimsEndlessPagesIsReadAtMostTwentyPagesDeep() {
        fake.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                int page = Integer.parseInt(request.getRequestUrl().queryParameter("page"));
                return page(page, 1, 1_000_000, model("@cf/m/model-" + page, "Text Generation"));
            }
        });

        List<ModelInfo> models = workersAi.models();

        assertThat(models).hasSize(20);
        assertThat(fake.server.getRequestCount()).isEqualTo(20);
    }

    @Test
    void catalogNotFoundIsAConfigurationProblemNotAMissingModel() {
        fake.answer(error(404, 7003, "Could not route to /accounts/x/ai/models/search"));

        ProviderException failure = catchThrowableOfType(workersAi::models, ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.getMessage()).contains("operator").doesNotContain("CLOUDFLARE_");
    }

    @Test
    void failedFetchIsNotCachedSoTheNextCallTriesAgain() {
        fake.answer(error(403, 10000, "Authentication error"));
        fake.answer(page(1, 100, 1, model("@cf/meta/llama-3.1-8b-instruct", "Text Generation")));

        catchThrowableOfType(workersAi::models, ProviderException.class);
        List<ModelInfo> models = workersAi.models();

        assertThat(models).hasSize(1);
        assertThat(fake.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void callersArrivingTogetherShareOneFetch() throws Exception {
        java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
        ModelCatalog catalog = new ModelCatalog(() -> {
            fetches.incrementAndGet();
            sleepQuietly(Duration.ofMillis(50));
            return List.of(new ModelInfo("@cf/qwen/qwq-32b", "@cf/qwen/qwq-32b", "Text Generation"));
        }, Duration.ofMinutes(5), clock);
        java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<List<ModelInfo>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                answers.add(callers.submit(catalog::models));
            }
            for (java.util.concurrent.Future<List<ModelInfo>> answer : answers) {
                assertThat(answer.get(2, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
            }
        } finally {
            callers.shutdownNow();
        }

        assertThat(fetches.get()).isEqualTo(1);
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Time moved by the test, so TTL expiry is proven without waiting. */
    static final class MovableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
