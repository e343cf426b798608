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

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Throwable>[]> failures(Throwable failure) {
        List<Class<? extends Throwable>[]> list = new ArrayList<>();
        list.add(new Class[] {failure.getClass()});
        return list;
    }
}
