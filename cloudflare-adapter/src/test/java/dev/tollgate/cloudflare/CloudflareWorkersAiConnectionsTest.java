package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ChatCompletion;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class CloudflareWorkersAiConnectionsTest {

    private static final int CALLERS = 16;

    private final FakeWorkersAi fake = new FakeWorkersAi();
    // Longer reads than the fake's usual 400 ms: each answer waits until the whole round has arrived.
    private final CloudflareWorkersAi workersAi = fake.client(fake.settings()
            .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(5)));
    private final ExecutorService callers = Executors.newFixedThreadPool(CALLERS);

    @AfterEach
    void stop() throws IOException {
        callers.shutdownNow();
        workersAi.close();
        fake.close();
    }

    @Test
    void callsInFlightTogetherFindTheirConnectionsStillOpenForTheNextRound() throws Exception {
        // given a Workers AI that answers a round of calls only once all of them are in flight together
        RoundsOf rounds = new RoundsOf(CALLERS);
        fake.server.setDispatcher(rounds);

        // when that many calls are made at once, and again once every one of them has been answered
        runRound(rounds);
        runRound(rounds);

        // then the second round went out on the first round's connections: no connection was opened twice
        assertThat(rounds.connectionsOpened()).isEqualTo(CALLERS);
    }

    private void runRound(RoundsOf rounds) throws Exception {
        rounds.next();
        List<Future<ChatCompletion>> answers = new ArrayList<>();
        for (int i = 0; i < CALLERS; i++) {
            answers.add(callers.submit(() -> workersAi.chat(question("0.2"))));
        }
        for (Future<ChatCompletion> answer : answers) {
            assertThat(answer.get(4, TimeUnit.SECONDS).text()).isEqualTo("ok");
        }
    }

    /** Holds each answer until the round's every call has arrived, so the round's calls overlap entirely. */
    private static final class RoundsOf extends Dispatcher {
        private final int size;
        private final AtomicReference<CountDownLatch> round = new AtomicReference<>();
        private final AtomicInteger connections = new AtomicInteger();

        RoundsOf(int size) {
            this.size = size;
        }

        void next() {
            round.set(new CountDownLatch(size));
        }

        int connectionsOpened() {
            return connections.get();
        }

        @Override
        public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            if (request.getSequenceNumber() == 0) {
                connections.incrementAndGet();
            }
            CountDownLatch arrived = round.get();
            arrived.countDown();
            if (!arrived.await(2, TimeUnit.SECONDS)) {
                throw new AssertionError("the round's calls did not all arrive together");
            }
            return envelope("ok", usage(1, 1));
        }
    }
}
