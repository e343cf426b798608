package dev.tollgate.web.ops;

import dev.tollgate.api.budget.BudgetThresholdCrossed;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The notifier of budget alerts (ADR 27): each {@link BudgetThresholdCrossed} becomes one log line and one count in
 * {@code tollgate_budget_alerts_total}, which an operator's alerting (Prometheus Alertmanager, a log shipper) turns
 * into a message. Subscribing, like {@link LedgerMetrics}: each alert is heard once, on the node that appended it,
 * after it committed, and a replay never repeats one.
 */
@Component
@ProcessingGroup(BudgetAlerts.GROUP)
public class BudgetAlerts {
    public static final String GROUP = "budget-alerts";
    private static final Logger log = LoggerFactory.getLogger(BudgetAlerts.class);

    private final MeterCache<Counter> alerts;

    public BudgetAlerts(MeterRegistry meters) {
        this.alerts = new MeterCache<>(labels -> Counter.builder("tollgate.budget.alerts")
                .description("Budget thresholds crossed, by period (daily, monthly)")
                .tag("period", labels.get(0)).register(meters));
        alerts.get(BudgetThresholdCrossed.DAILY);
        alerts.get(BudgetThresholdCrossed.MONTHLY);
    }

    @EventHandler
    void on(BudgetThresholdCrossed alert) {
        Runnable notify = () -> {
            try {
                alerts.get(alert.period()).increment();
                log.warn("budget alert: account {} reached {}% of its {} budget for {} ({} of {} USD spent)",
                        alert.accountId().value(), alert.thresholdPercent(), alert.period(), alert.periodStart(),
                        alert.spent().toUsdString(), alert.limit().toUsdString());
            } catch (RuntimeException failed) {
                log.warn("could not record a budget alert", failed);
            }
        };
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> notify.run());
        } else {
            notify.run();
        }
    }
}
