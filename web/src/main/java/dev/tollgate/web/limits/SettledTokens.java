package dev.tollgate.web.limits;

import dev.tollgate.api.account.ReservationSettled;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.springframework.stereotype.Component;

/**
 * Counts the real tokens of every settled call against its callers. Subscribing: it runs on the node and in the
 * command that settled the call, before the call's answer leaves, so the caller's next request already sees them.
 */
@Component
@ProcessingGroup("rate-limits")
class SettledTokens {
    private final AiRateLimits limits;

    SettledTokens(AiRateLimits limits) {
        this.limits = limits;
    }

    @EventHandler
    void on(ReservationSettled settled) {
        limits.settled(settled.accountId().value(), settled.charge().requestId(),
                settled.charge().inputTokens() + settled.charge().outputTokens());
    }
}
