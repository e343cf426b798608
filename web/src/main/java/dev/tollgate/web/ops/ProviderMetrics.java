package dev.tollgate.web.ops;

import dev.tollgate.domain.metering.InferenceProvider;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * Wraps whichever {@link InferenceProvider} the application chose in a {@link TimedProvider}, so the choice of
 * provider (ProviderConfig) and its measurement stay apart.
 */
@Component
public class ProviderMetrics implements BeanPostProcessor {
    private final ObjectProvider<MeterRegistry> registry;
    private final ObjectProvider<ProviderReachability> reachability;

    public ProviderMetrics(ObjectProvider<MeterRegistry> registry, ObjectProvider<ProviderReachability> reachability) {
        this.registry = registry;
        this.reachability = reachability;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof InferenceProvider provider) {
            return TimedProvider.wrap(provider, registry::getIfAvailable, reachability.getObject());
        }
        return bean;
    }
}
