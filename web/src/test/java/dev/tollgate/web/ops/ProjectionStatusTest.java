package dev.tollgate.web.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;

/** What an operator reads for a processor that is not running: stopped, or paused by an error it will not leave. */
class ProjectionStatusTest {
    private final StreamingEventProcessor processor = mock(StreamingEventProcessor.class);

    @Test
    void aProcessorThatPausedItselfAfterAnErrorIsReportedAsInErrorNotAsStopped() {
        // given a processor that an Error (an OutOfMemoryError, say) ended: Axon pauses it and releases its segments
        when(processor.isRunning()).thenReturn(false);
        when(processor.isError()).thenReturn(true);
        when(processor.processingStatus()).thenReturn(Map.of());

        // when its status is read, then it says error, which a restart clears, rather than stopped
        assertThat(Projections.status("transfer-process", processor, List.of(), false, 10).status())
                .isEqualTo("error");
    }

    @Test
    void aProcessorShutDownWithoutAnErrorIsReportedAsStopped() {
        // given a processor shut down on purpose, with no other node holding its token
        when(processor.isRunning()).thenReturn(false);
        when(processor.isError()).thenReturn(false);
        when(processor.processingStatus()).thenReturn(Map.of());

        // when its status is read, then it says stopped
        assertThat(Projections.status("transfer-process", processor, List.of(), false, 10).status())
                .isEqualTo("stopped");
    }
}
