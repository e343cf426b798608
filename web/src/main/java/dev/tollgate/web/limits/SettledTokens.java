package dev.tollgate.web.limits;

import dev.tollgate.api.account.ReservationSettled;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.stereotype.Component;

/**
 * Counts the real tokens of every settled call against its callers. Subscribing: it runs on the node and in the
 * command that settled the call, and counts once that command's commit is through, before the call's answer leaves,
 * so the caller's next request already sees them.
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
        Runnable count = () -> limits.settled(settled.accountId().value(), settled.charge().requestId(),
                settled.charge().inputTokens() + settled.charge().outputTokens());
        if (CurrentUnitOfWork.isStarted()) {
            // Once the settlement is stored: a shared commit that fails is run again (ADR 37) and must count once.
            CurrentUnitOfWork.get().afterCommit(u -> count.run());
        } else {
            count.run();
        }
    }
}
