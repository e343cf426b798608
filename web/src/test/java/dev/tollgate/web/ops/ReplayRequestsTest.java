package dev.tollgate.web.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/**
 * A replay request is marked carried out only by a reset that happened: when the token was claimed by another node
 * between this node's stop and its reset, the request stays pending for the node that holds the token now, and this
 * node's processor runs again.
 */
class ReplayRequestsTest {
    private final StreamingEventProcessor readModels = mock(StreamingEventProcessor.class);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private JdbcTemplate jdbc;
    private ReplayRequests replays;

    @BeforeEach
    void oneNodeWithARunningReadModelsProcessor() throws Exception {
        SimpleDriverDataSource dataSource = new SimpleDriverDataSource(new org.h2.Driver(),
                "jdbc:h2:mem:replays-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
        jdbc = new JdbcTemplate(dataSource);
        jdbc.execute(new ClassPathResource("db/migration/V10__projection_replays.sql")
                .getContentAsString(StandardCharsets.UTF_8));
        EventProcessingConfiguration processing = mock(EventProcessingConfiguration.class);
        when(processing.eventProcessor(Projections.READ_MODELS, StreamingEventProcessor.class))
                .thenReturn(Optional.of(readModels));
        when(readModels.isRunning()).thenAnswer(i -> running.get());
        when(readModels.processingStatus()).thenReturn(Map.of());
        doAnswer(i -> {
            running.set(false);
            return null;
        }).when(readModels).shutDown();
        doAnswer(i -> {
            running.set(true);
            return null;
        }).when(readModels).start();
        // No JDBC token store here: no stored segments, so no other node holds a claim this node can see.
        SharedTokens tokens = new SharedTokens(jdbc, mock(TokenStore.class),
                new StaticListableBeanFactory().getBeanProvider(
                        org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema.class),
                Duration.ofSeconds(10), Clock.systemUTC());
        replays = new ReplayRequests(jdbc, new DataSourceTransactionManager(dataSource), processing, tokens,
                Clock.systemUTC(), Duration.ofHours(1));
    }

    @Test
    void aResetThatLostTheTokenToAnotherNodeLeavesTheRequestPendingAndTheProcessorRunning() {
        // given a pending replay, and another node that claims the token between this node's stop and its reset
        record(Projections.READ_MODELS);
        doThrow(new UnableToClaimTokenException("Unable to claim token 'read-models[0]'. It is owned by 'other'"))
                .doNothing().when(readModels).resetTokens();

        // when this node carries the request out
        replays.carryOutPending();

        // then nothing is marked done, and the processor runs again
        assertThat(replays.pending()).containsExactly(Projections.READ_MODELS);
        assertThat(running).isTrue();

        // when the next look succeeds (the token is this node's, or free, again)
        replays.carryOutPending();

        // then the reset happened once, and the request is carried out by this node
        verify(readModels, times(2)).resetTokens();
        assertThat(replays.pending()).isEmpty();
        assertThat(jdbc.queryForMap("SELECT requested, carried_out, carried_out_on FROM projection_replay"))
                .containsEntry("REQUESTED", 1L).containsEntry("CARRIED_OUT", 1L)
                .containsEntry("CARRIED_OUT_ON", SharedTokens.THIS_NODE);
        assertThat(running).isTrue();
    }

    @Test
    void whileThisNodeResetsAProcessorItsReplayIsUnderwayAndItReadsAsReplayingNotStopped() {
        // given a pending replay, and a reset that looks at how the processor is reported while it runs
        record(Projections.READ_MODELS);
        AtomicBoolean underwayDuringReset = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<String> statusDuringReset =
                new java.util.concurrent.atomic.AtomicReference<>();
        doAnswer(i -> {
            underwayDuringReset.set(replays.underway(Projections.READ_MODELS));
            statusDuringReset.set(Projections.status(Projections.READ_MODELS, readModels, java.util.List.of(),
                    replays.pending().contains(Projections.READ_MODELS) || replays.underway(Projections.READ_MODELS), 10).status());
            return null;
        }).when(readModels).resetTokens();

        // when this node carries it out
        replays.carryOutPending();

        // then, stopped for its reset, the processor was underway and "replaying"; once started again, neither
        assertThat(underwayDuringReset).isTrue();
        assertThat(statusDuringReset).hasValue("replaying");
        assertThat(replays.underway(Projections.READ_MODELS)).isFalse();
        assertThat(Projections.status(Projections.READ_MODELS, readModels, java.util.List.of(), false, 10).status())
                .isNotEqualTo("stopped");
    }

    @Test
    void requestsMadeBeforeTheResetAreAllSatisfiedByIt() {
        // given two requests for the read models before any reset
        record(Projections.READ_MODELS);
        record(Projections.READ_MODELS);

        // when this node carries them out, and looks again
        replays.carryOutPending();
        replays.carryOutPending();

        // then one reset satisfied both
        verify(readModels, times(1)).resetTokens();
        assertThat(replays.pending()).isEmpty();
        assertThat(jdbc.queryForObject("SELECT carried_out FROM projection_replay", Long.class)).isEqualTo(2L);
    }

    @Test
    void aNodeWhoseProcessorIsNotRunningLeavesTheRequestToAnother() {
        // given a pending replay on a node shutting down (its processor already stopped)
        record(Projections.READ_MODELS);
        running.set(false);

        // when it looks for requests
        replays.carryOutPending();

        // then it neither resets nor starts anything
        verify(readModels, never()).resetTokens();
        verify(readModels, never()).start();
        verify(readModels, never()).releaseSegment(anyInt(), anyLong(), any());
        assertThat(replays.pending()).containsExactly(Projections.READ_MODELS);
    }

    /** A request as the endpoint records it, without waking the replay thread (the test looks by itself). */
    private void record(String name) {
        if (jdbc.update("UPDATE projection_replay SET requested = requested + 1 WHERE processor_name = ?", name) == 0) {
            jdbc.update("INSERT INTO projection_replay (processor_name, requested, carried_out, requested_at, "
                    + "requested_on) VALUES (?, 1, 0, CURRENT_TIMESTAMP, 'test')", name);
        }
    }
}
