package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.DisallowReplay;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.MultiEventHandlerInvoker;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.junit.jupiter.api.Test;

class NeverReplayedHandlersTest {

    record Appended(String what) {
    }

    record Unheard(String what) {
    }

    private final List<String> heard = new ArrayList<>();

    @DisallowReplay
    class Outcomes {
        @EventHandler
        void on(Appended e) {
            heard.add("outcomes " + e.what());
        }
    }

    class Metrics {
        @EventHandler
        void on(Appended e) {
            heard.add("metrics " + e.what());
        }

        @EventHandler
        void on(Integer ignored) {
            heard.add("metrics number");
        }
    }

    private final NeverReplayedHandlers handlers = new NeverReplayedHandlers(new MultiEventHandlerInvoker(
            SimpleEventHandlerInvoker.builder().eventHandlers(new Outcomes()).build(),
            SimpleEventHandlerInvoker.builder().eventHandlers(new Metrics()).build()));

    @Test
    void anEventReachesEveryGroupThatHandlesItInTheGroupsOrder() throws Exception {
        // given two groups, one never replayed, both handling Appended
        var event = GenericEventMessage.asEventMessage(new Appended("a"));

        // when it is handled
        assertThat(handlers.canHandle(event, Segment.ROOT_SEGMENT)).isTrue();
        handlers.handle(event, Segment.ROOT_SEGMENT);

        // then both heard it, in order, as Axon's own invoker would have run them
        assertThat(heard).containsExactly("outcomes a", "metrics a");
    }

    @Test
    void anEventNoGroupHandlesIsNotTakenAndReachesNobody() throws Exception {
        var event = GenericEventMessage.asEventMessage(new Unheard("b"));

        assertThat(handlers.canHandle(event, Segment.ROOT_SEGMENT)).isFalse();
        handlers.handle(event, Segment.ROOT_SEGMENT);

        assertThat(heard).isEmpty();
        assertThat(handlers.canHandleType(Appended.class)).isTrue();
        assertThat(handlers.canHandleType(Unheard.class)).isFalse();
    }

    @Test
    void onlyTheGroupThatHandlesAnEventHearsIt() throws Exception {
        handlers.handle(GenericEventMessage.asEventMessage(7), Segment.ROOT_SEGMENT);

        assertThat(heard).containsExactly("metrics number");
    }

    @Test
    void nothingHereIsEverReset() {
        assertThat(handlers.supportsReset()).isFalse();
    }
}
