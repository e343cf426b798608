package dev.tollgate.web.config;

import java.util.List;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.MultiEventHandlerInvoker;
import org.axonframework.eventhandling.Segment;

/**
 * The handlers of a subscribing processor, which sees each event once, as it is appended, and never a replay.
 * Axon's {@link MultiEventHandlerInvoker} asks each group, for every event, whether it supports a reset before it
 * asks whether it handles the event; for groups marked {@code @DisallowReplay} that question walks every handler
 * they have, each time: 7 % of a command lane's CPU in bench/ledger's profile, for an answer that cannot matter
 * here. This asks only the second question, in the same order, so the same handlers run.
 */
final class NeverReplayedHandlers implements EventHandlerInvoker {
    private final List<EventHandlerInvoker> delegates;

    NeverReplayedHandlers(EventHandlerInvoker handlers) {
        this.delegates = handlers instanceof MultiEventHandlerInvoker multi
                ? List.copyOf(multi.delegates()) : List.of(handlers);
    }

    @Override
    public boolean canHandle(EventMessage<?> event, Segment segment) {
        for (EventHandlerInvoker delegate : delegates) {
            if (delegate.canHandle(event, segment)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean canHandleType(Class<?> payloadType) {
        for (EventHandlerInvoker delegate : delegates) {
            if (delegate.canHandleType(payloadType)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void handle(EventMessage<?> event, Segment segment) throws Exception {
        for (EventHandlerInvoker delegate : delegates) {
            if (delegate.canHandle(event, segment)) {
                delegate.handle(event, segment);
            }
        }
    }

    /** Nothing here is ever reset: these handlers react to what is appended now, on this node. */
    @Override
    public boolean supportsReset() {
        return false;
    }

    @Override
    public void segmentReleased(Segment segment) {
        delegates.forEach(delegate -> delegate.segmentReleased(segment));
    }
}
