package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tollgate.api.account.InsufficientFundsException;
import java.sql.BatchUpdateException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.modelling.command.ConcurrencyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConflictRetriesTest {
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final AxonConfig.ConflictRetries retries = new AxonConfig.ConflictRetries(
            ExponentialBackOffIntervalRetryScheduler.builder().retryExecutor(executor).backoffFactor(1).maxRetryCount(3));

    @AfterEach
    void stop() throws InterruptedException {
        executor.shutdownNow();
        executor.awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void a_lost_append_race_reported_with_its_sql_cause_is_retried() {
        // given the conflict as the JDBC storage engine raises it on PostgreSQL: caused by the driver's exception
        ConcurrencyException conflict = new ConcurrencyException("sequence 7 already inserted",
                new BatchUpdateException("duplicate key", "23505", 0, new int[0]));

        // then
        assertThat(retries.scheduleRetry(GenericCommandMessage.asCommandMessage("deposit"), conflict,
                failures(conflict), () -> { })).isTrue();
    }

    @Test
    void a_rejection_is_an_answer_and_is_never_retried() {
        InsufficientFundsException refused = new InsufficientFundsException("balance too low");
        assertThat(retries.scheduleRetry(GenericCommandMessage.asCommandMessage("deduct"), refused,
                failures(refused), () -> { })).isFalse();
    }

    @Test
    void retries_stop_after_the_bound() {
        ConcurrencyException conflict = new ConcurrencyException("again");
        List<Class<? extends Throwable>[]> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.addAll(failures(conflict));
        }
        assertThat(retries.scheduleRetry(GenericCommandMessage.asCommandMessage("deposit"), conflict, many, () -> { }))
                .isFalse();
    }

    @Test
    void the_first_retry_runs_at_once_and_later_ones_wait_a_random_time_within_the_back_off() {
        // given back-off steps of 100 ms (100, 200, 400 … ms)
        AxonConfig.ConflictRetries stepped = new AxonConfig.ConflictRetries(ExponentialBackOffIntervalRetryScheduler
                .builder().retryExecutor(executor).backoffFactor(100).maxRetryCount(8));
        ConcurrencyException conflict = new ConcurrencyException("another node appended first");
        var command = GenericCommandMessage.asCommandMessage("deposit");

        // when the first conflict is retried, then at once: the stale cached account was evicted and is read afresh
        assertThat(stepped.computeRetryInterval(command, conflict, times(conflict, 1))).isZero();

        // when later conflicts are retried, then each waits at most the back-off for the retries before it, and
        // not always the same time, so two nodes do not retry in step
        java.util.Set<Long> thirds = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            assertThat(stepped.computeRetryInterval(command, conflict, times(conflict, 2))).isBetween(0L, 100L);
            long third = stepped.computeRetryInterval(command, conflict, times(conflict, 3));
            assertThat(third).isBetween(0L, 200L);
            thirds.add(third);
        }
        assertThat(thirds).hasSizeGreaterThan(10);
    }

    private static List<Class<? extends Throwable>[]> times(Throwable failure, int n) {
        List<Class<? extends Throwable>[]> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.addAll(failures(failure));
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Throwable>[]> failures(Throwable failure) {
        List<Class<? extends Throwable>[]> list = new ArrayList<>();
        list.add(new Class[] {failure.getClass()});
        return list;
    }
}
