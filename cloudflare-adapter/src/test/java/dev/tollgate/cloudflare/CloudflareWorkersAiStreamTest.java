package dev.tollgate.cloudflare;

import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderException.Kind;
import dev.tollgate.domain.metering.ProviderUsage;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;

import static dev.tollgate.cloudflare.CloudflareWorkersAiChatTest.question;
import static dev.tollgate.cloudflare.FakeWorkersAi.envelope;
import static dev.tollgate.cloudflare.FakeWorkersAi.error;
import static dev.tollgate.cloudflare.FakeWorkersAi.eventStream;
import static dev.tollgate.cloudflare.FakeWorkersAi.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@Timeout(5)
class CloudflareWorkersAiStreamTest {

    private final FakeWorkersAi fake = new FakeWorkersAi();
    private final CloudflareWorkersAi workersAi = fake.client();
    private final List<String> deltas = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        workersAi.close();
        fake.close();
    }

    private static String openAiChunk(String content, String usageJson, String finishReason) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]"
                + (usageJson == null ? "" : ",\"usage\":" + usageJson) + "}";
    }

    @Test
    void paddedChunksArePassedOnInOrderAndTheFinalCumulativeUsageIsKept() throws Exception {
        fake.answer(eventStream(
                "{\"response\":\"Hello\",\"p\":\"abcdefghijklmnopqrstuvw\"}",
                "{\"response\":\"!\",\"p\":\"abcdefgh\"}",
                "{\"response\":\"\",\"usage\":" + usage(169, 48) + "}",
                "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(deltas).containsExactly("Hello", "!");
        assertThat(completion.text()).isEqualTo("Hello!");
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(169, 48));
        RecordedRequest received = fake.takeRequest();
        assertThat(received.getPath()).isEqualTo(FakeWorkersAi.RUN_PATH);
        assertThat(FakeWorkersAi.bodyOf(received).path("stream").asBoolean()).isTrue();
    }

    @Test
    void openAiChunksUsageIsTakenFromTheLastChunkNeverSummed() {
        fake.answer(eventStream(
                openAiChunk("Hel", usage(20, 1), null),
                openAiChunk("lo", usage(20, 2), null),
                openAiChunk(" there", usage(20, 3), "stop"),
                "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(deltas).containsExactly("Hel", "lo", " there");
        assertThat(completion.text()).isEqualTo("Hello there");
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(20, 3));
        assertThat(completion.finishReason()).isEqualTo("stop");
    }

    @Test
    void openAiChunksFollowedByCloudflaresCumulativeChunkEndOnTheCumulativeFigure() {
        fake.answer(eventStream(
                openAiChunk("a", usage(7, 1), null),
                openAiChunk("b", usage(7, 1), "stop"),
                "{\"response\":\"\",\"usage\":" + usage(7, 2) + "}",
                "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(completion.text()).isEqualTo("ab");
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(7, 2));
    }

    @Test
    void incrementalChunkUsageWhoseSumOverflowsIsNoUsageAndTheStreamStillEnds() {
        // given increments (the output count shrinks) whose output counts of over 2^62 add up past a long
        fake.answer(eventStream(
                openAiChunk("a", usage(5, 4611686018427387905L), null),
                openAiChunk("b", usage(5, 4611686018427387904L), "stop"),
                "[DONE]"));

        // when the stream is read
        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        // then the text is whole and the usage is left unknown, for the caller to estimate
        assertThat(deltas).containsExactly("a", "b");
        assertThat(completion.text()).isEqualTo("ab");
        assertThat(completion.usage()).isNull();
    }

    @Test
    void streamWhoseChunksCarryNoUsageEndsWithUsageNull() {
        fake.answer(eventStream("{\"response\":\"Hi\",\"p\":\"xyz\"}", "{\"response\":\"\"}", "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(completion.text()).isEqualTo("Hi");
        assertThat(completion.usage()).isNull();
    }

    @Test
    void streamEndingWithoutDoneIsTruncatedKeepsThePartialAndIsNotRetried() {
        fake.answer(eventStream("{\"response\":\"Hello\",\"p\":\"ab\"}", "{\"response\":\" wor\"}"));
        fake.answer(eventStream("{\"response\":\"never sent\"}", "[DONE]"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.producedOutput()).isTrue();
        assertThat(failure.partial().text()).isEqualTo("Hello wor");
        assertThat(failure.partial().usage()).isNull();
        assertThat(deltas).containsExactly("Hello", " wor");
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void truncatedStreamKeepsTheLastUsageSeenInItsPartial() {
        fake.answer(eventStream(
                "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"content\":\"x\"}}],"
                        + "\"usage\":" + usage(5, 1) + "}"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        assertThat(failure.partial().usage()).isEqualTo(new ProviderUsage(5, 1));
    }

    @Test
    void aStreamOfIncrementalChunkUsageCutBeforeItsTotalIsChargedForTheSumOfItsIncrements() {
        // given chunks whose usage counts each chunk's own tokens (the prompt on the first), cut before the total
        fake.answer(eventStream(
                openAiChunk("a", usage(100, 1), null),
                openAiChunk("b", usage(0, 1), null),
                openAiChunk("c", usage(0, 1), null),
                openAiChunk("d", usage(0, 1), null)));

        // when it breaks
        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        // then what the chunks counted is what was produced: all of the prompt and four tokens
        assertThat(failure.partial().usage()).isEqualTo(new ProviderUsage(100, 4));
    }

    @Test
    void oneTokenIncrementsThatRepeatThePromptAreSummedOnceTheStreamEndsWithoutItsTotal() {
        // given forty chunks, each counting its own one token and repeating the prompt's 500, and no final total
        String[] chunks = new String[41];
        for (int i = 0; i < 40; i++) {
            chunks[i] = openAiChunk("w" + i + " ", usage(500, 1), i == 39 ? "stop" : null);
        }
        chunks[40] = "[DONE]";
        fake.answer(eventStream(chunks));

        // when the stream is read
        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        // then the output is the forty tokens, and the prompt is counted once
        assertThat(deltas).hasSize(40);
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(500, 40));
    }

    @Test
    void runningTotalsWithATokenSplitAcrossTwoChunksStillEndOnTheLastTotal() {
        // given running totals where one token's bytes came in two chunks (the count stood still once)
        fake.answer(eventStream(
                openAiChunk("Hel", usage(20, 1), null),
                openAiChunk("l", usage(20, 2), null),
                openAiChunk("\u00e9", usage(20, 2), null),
                openAiChunk(" there", usage(20, 3), null),
                openAiChunk("", usage(20, 3), "stop")));

        // when the stream breaks before its end
        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        // then the last running total is the figure, not their sum
        assertThat(failure.partial().usage()).isEqualTo(new ProviderUsage(20, 3));
    }

    @Test
    void incrementalChunkUsageFollowedByCloudflaresCumulativeChunkEndsOnTheCumulativeFigure() {
        fake.answer(eventStream(
                openAiChunk("a", usage(100, 1), null),
                openAiChunk("b", usage(0, 1), null),
                "{\"response\":\"\",\"usage\":" + usage(100, 2) + "}",
                "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(completion.usage()).isEqualTo(new ProviderUsage(100, 2));
    }

    @Test
    void silenceMidStreamIsATimeoutWithThePartialAndNoRetry() throws IOException {
        try (StallingEventStream stalling = new StallingEventStream("data: {\"response\":\"Hello\"}\n\n");
             CloudflareWorkersAi client = fake.client(fake.settings().withApiBase(stalling.apiBase())
                     .withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300), Duration.ofSeconds(3)))) {

            ProviderException failure = catchThrowableOfType(() -> client.chatStream(question(null), deltas::add),
                    ProviderException.class);

            assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(failure.upstreamStatus()).isEqualTo(200);
            assertThat(failure.partial().text()).isEqualTo("Hello");
            assertThat(deltas).containsExactly("Hello");
            assertThat(stalling.connections()).isEqualTo(1);
        }
    }

    @Test
    void failureBeforeAnyOutputIsRetriedAndTheStreamThenSucceeds() {
        fake.answer(error(503, null, null));
        fake.answer(eventStream("{\"response\":\"ok\"}", "{\"response\":\"\",\"usage\":" + usage(3, 1) + "}",
                "[DONE]"));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(completion.text()).isEqualTo("ok");
        assertThat(deltas).containsExactly("ok");
        assertThat(fake.server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void anErrorChunkMidStreamBreaksItThereWithThePartialAndIsNotRetried() {
        // given a stream that reports an error after "Hel", then goes on as if nothing happened
        fake.answer(eventStream(
                "{\"response\":\"Hel\"}",
                "{\"errors\":[{\"message\":\"AiError: inference failed\",\"code\":3043}],\"success\":false}",
                "{\"response\":\"lo\"}",
                "{\"response\":\"\",\"usage\":" + usage(9, 2) + "}",
                "[DONE]"));
        fake.answer(eventStream("{\"response\":\"never sent\"}", "[DONE]"));

        // when it is streamed
        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        // then the stream broke at the error: what came before is the partial, nothing after was passed on
        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.upstreamCode()).isEqualTo(3043);
        assertThat(failure.producedOutput()).isTrue();
        assertThat(failure.partial().text()).isEqualTo("Hel");
        assertThat(failure.partial().usage()).isNull();
        assertThat(deltas).containsExactly("Hel");
        assertThat(fake.server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void anErrorChunkBeforeAnyTextIsAFailureWithNothingProduced() {
        fake.answer(eventStream("{\"errors\":[{\"message\":\"AiError\",\"code\":3043}],\"success\":false}",
                "[DONE]"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.producedOutput()).isFalse();
        assertThat(deltas).isEmpty();
    }

    @Test
    void chunkThatIsNotJsonBreaksTheStreamAsUpstreamWithThePartial() {
        fake.answer(eventStream("{\"response\":\"Hi\"}", "not json at all", "[DONE]"));

        ProviderException failure = catchThrowableOfType(() -> workersAi.chatStream(question(null), deltas::add),
                ProviderException.class);

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM);
        assertThat(failure.partial().text()).isEqualTo("Hi");
    }

    @Test
    void modelThatAnswersWithThePlainEnvelopeIsPassedOnAsOnePiece() {
        fake.answer(envelope("All at once", usage(4, 3)));

        ChatCompletion completion = workersAi.chatStream(question(null), deltas::add);

        assertThat(deltas).containsExactly("All at once");
        assertThat(completion.usage()).isEqualTo(new ProviderUsage(4, 3));
    }
}
