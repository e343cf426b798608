package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ProviderException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.ACCOUNT;
import static dev.tollgate.cloudflare.FakeWorkersAi.MODEL;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * CLOUDFLARE_API_BASE as either document writes it (ADR 53): with {@code /client/v4} as Tollgate's contract gives it,
 * or the host alone, as Cloudflare's reference calls its base, against fakes that serve the API at either root.
 */
@Timeout(5)
class CloudflareApiRootTest {
    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final List<String> paths = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        fake.close();
    }

    @Test
    void aBareHostIsTheDocumentedBaseAndCallsGoUnderClientV4() {
        // given a fake that serves Workers AI where Cloudflare does, and the host alone as the base
        serveUnder("/client/v4/accounts/" + ACCOUNT + "/ai/run/");

        try (CloudflareWorkersAi workersAi = fake.client(fake.settings().withApiBase(fake.server.url("/").toString()))) {
            // when two chats are made
            workersAi.chat(question(null));
            workersAi.chat(question(null));
        }

        // then each went straight to /client/v4/accounts/{id}/ai/run/{model}
        assertThat(paths).containsExactly(runPath("/client/v4"), runPath("/client/v4"));
    }

    @Test
    void aBareHostWhoseServerHasNoClientV4IsCalledAtItsRootFromTheFirstAnswerOn() {
        // given a fake that serves the API at its root, and its host as the base
        serveUnder("/accounts/" + ACCOUNT + "/ai/run/");

        try (CloudflareWorkersAi workersAi = fake.client(fake.settings().withApiBase(fake.server.url("/").toString()))) {
            // when three chats are made
            for (int i = 0; i < 3; i++) {
                assertThat(workersAi.chat(question(null)).text()).isEqualTo("Hello");
            }
        }

        // then the first looked under /client/v4 once, found nothing, and every call was answered at the root
        assertThat(paths).containsExactly(runPath("/client/v4"), runPath(""), runPath(""), runPath(""));
    }

    @Test
    void aBaseWithAPathIsTakenAsItIsAndAMissingPathIsNotLookedForElsewhere() {
        // given a fake that serves the API at its root, and a base with a path where nothing is served
        serveUnder("/accounts/" + ACCOUNT + "/ai/run/");

        try (CloudflareWorkersAi workersAi = fake.client(
                fake.settings().withApiBase(fake.server.url("/client/v4").toString()))) {
            // when a chat is made
            ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                    ProviderException.class);

            // then it fails on the one path the base names, which was the only one called
            assertThat(failure).isNotNull();
        }
        assertThat(paths).containsExactly(runPath("/client/v4"));
    }

    @Test
    void cloudflaresOwnNoSuchModelIsAnAnswerNotAMissingPath() {
        // given a fake under /client/v4 that knows no model, and the host alone as the base
        fake.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                paths.add(request.getPath());
                return error(404, 3042, "Invalid model id");
            }
        });

        try (CloudflareWorkersAi workersAi = fake.client(fake.settings().withApiBase(fake.server.url("/").toString()))) {
            // when a chat is made
            ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                    ProviderException.class);

            // then Cloudflare's answer is the failure, and nothing was asked at another root
            assertThat(failure.kind()).isEqualTo(ProviderException.Kind.MODEL_NOT_FOUND);
        }
        assertThat(paths).containsExactly(runPath("/client/v4"));
    }

    @Test
    void whenNeitherRootServesTheAccountTheDocumentedPathsAnswerIsTheFailure() {
        // given a fake that routes nothing (a wrong account), and the host alone as the base
        fake.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                paths.add(request.getPath());
                return request.getPath().startsWith("/client/v4/")
                        ? error(404, 7003, "Could not route to " + request.getPath())
                        : new MockResponse().setResponseCode(404).setBody("<html>Not Found</html>");
            }
        });

        try (CloudflareWorkersAi workersAi = fake.client(fake.settings().withApiBase(fake.server.url("/").toString()))) {
            // when a chat is made
            ProviderException failure = catchThrowableOfType(() -> workersAi.chat(question(null)),
                    ProviderException.class);

            // then the failure is Cloudflare's "could not route", from the documented path
            assertThat(failure.getMessage()).contains("7003");
        }
        assertThat(paths).containsExactly(runPath("/client/v4"), runPath(""));
    }

    private void serveUnder(String prefix) {
        fake.server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                paths.add(request.getPath());
                return request.getPath().startsWith(prefix)
                        ? envelope("Hello", usage(5, 1))
                        : new MockResponse().setResponseCode(404).setBody("404 page not found");
            }
        });
    }

    private static String runPath(String root) {
        return root + "/accounts/" + ACCOUNT + "/ai/run/" + MODEL;
    }
}
