package dev.tollgate.web.ai;

import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.FixedDelay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Sweeps forgotten idempotency keys every ten minutes. A db-scheduler task, like hold deadlines: with several nodes
 * on one database one of them runs each sweep, and a sweep missed while every node was down runs at the next start.
 */
@Configuration
public class IdempotencyRetention {
    private static final Logger log = LoggerFactory.getLogger(IdempotencyRetention.class);

    @Bean
    public RecurringTask<Void> forgetOldIdempotencyKeys(IdempotentCalls calls) {
        return Tasks.recurring("forget-old-idempotency-keys", FixedDelay.ofMinutes(10)).execute((instance, context) -> {
            int forgotten = calls.forgetOldKeys();
            if (forgotten > 0) {
                log.info("forgot {} idempotency keys older than {}", forgotten, IdempotentCalls.MEMORY);
            }
        });
    }
}
