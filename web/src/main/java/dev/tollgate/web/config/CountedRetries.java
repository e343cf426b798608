package dev.tollgate.web.config;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Predicate;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.gateway.RetryScheduler;

/**
 * Counts append conflicts ({@code tollgate_command_conflicts_total}): retried, or given up after the last retry.
 * A steady rate of retries means two writers keep meeting on one account (several nodes without consistent
 * routing); any "gave_up" is a caller who got an error for it.
 */
final class CountedRetries implements RetryScheduler {
    private final RetryScheduler delegate;
    private final Predicate<Throwable> conflict;
    private final Counter retried;
    private final Counter gaveUp;

    CountedRetries(RetryScheduler delegate, Predicate<Throwable> conflict, MeterRegistry meters) {
        this.delegate = delegate;
        this.conflict = conflict;
        this.retried = counter(meters, "retried");
        this.gaveUp = counter(meters, "gave_up");
    }

    private static Counter counter(MeterRegistry meters, String outcome) {
        return Counter.builder("tollgate.command.conflicts")
                .description("Commands that met a concurrent append on the same account, by what happened next")
                .tag("outcome", outcome).register(meters);
    }

    @Override
    public boolean scheduleRetry(CommandMessage commandMessage, RuntimeException lastFailure,
                                 List<Class<? extends Throwable>[]> failures, Runnable commandDispatch) {
        boolean scheduled = delegate.scheduleRetry(commandMessage, lastFailure, failures, commandDispatch);
        if (conflict.test(lastFailure)) {
            (scheduled ? retried : gaveUp).increment();
        }
        return scheduled;
    }
}
