package dev.tollgate.web.ops;

import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ProviderException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Puts every call through the {@link InferenceProvider} port on a timer ({@code tollgate_upstream_latency_seconds},
 * by provider, operation, model and outcome) and tells {@link ProviderReachability} how it ended. It is a dynamic
 * proxy rather than a class implementing the port so that a method added to the port later (embeddings, images,
 * speech …) is delegated and timed without anyone remembering to add it here.
 */
public final class TimedProvider implements InvocationHandler {
    static final String LATENCY = "tollgate.upstream.latency";

    private final InferenceProvider delegate;
    private final String provider;
    private final Supplier<MeterRegistry> registry;
    private final ProviderReachability reachability;
    private volatile MeterCache<Timer> timers;

    private TimedProvider(InferenceProvider delegate, Supplier<MeterRegistry> registry,
                          ProviderReachability reachability) {
        this.delegate = delegate;
        this.provider = delegate.name();
        this.registry = registry;
        this.reachability = reachability;
    }

    /** The registry is looked up on first use: the provider bean exists before the metrics machinery does. */
    public static InferenceProvider wrap(InferenceProvider delegate, Supplier<MeterRegistry> registry,
                                         ProviderReachability reachability) {
        if (Proxy.isProxyClass(delegate.getClass()) && Proxy.getInvocationHandler(delegate) instanceof TimedProvider) {
            return delegate;
        }
        reachability.serving(delegate.name());
        return (InferenceProvider) Proxy.newProxyInstance(InferenceProvider.class.getClassLoader(),
                new Class<?>[] {InferenceProvider.class}, new TimedProvider(delegate, registry, reachability));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "timed " + delegate;
            };
        }
        if (method.getName().equals("name") && method.getParameterCount() == 0) {
            return provider; // answered locally, not an upstream call
        }
        long started = System.nanoTime();
        String outcome = "ok";
        try {
            Object result = method.invoke(delegate, args);
            reachability.answered();
            return result;
        } catch (InvocationTargetException wrapped) {
            Throwable failure = wrapped.getCause();
            if (failure instanceof ProviderException providerFailure) {
                outcome = providerFailure.kind().name().toLowerCase(Locale.ROOT);
                reachability.failed(providerFailure.kind());
            } else {
                outcome = "error";
            }
            throw failure;
        } finally {
            record(method, args, outcome, System.nanoTime() - started);
        }
    }

    private void record(Method method, Object[] args, String outcome, long nanos) {
        MeterCache<Timer> cache = timers;
        if (cache == null) {
            MeterRegistry meters = registry.get();
            if (meters == null) {
                return;
            }
            cache = new MeterCache<>(labels -> Timer.builder(LATENCY)
                    .description("Time spent in calls to the model provider, including streamed answers")
                    .tag("provider", provider)
                    .tag("operation", labels.get(0))
                    .tag("model", labels.get(1))
                    .tag("outcome", labels.get(2))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(5))
                    .maximumExpectedValue(Duration.ofMinutes(5))
                    .register(meters));
            timers = cache;
        }
        cache.get(method.getName(), modelOf(args), outcome).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** The model a call names, when its first argument is a request record with a {@code model} component. */
    private static String modelOf(Object[] args) {
        if (args == null || args.length == 0 || args[0] == null) {
            return "none";
        }
        Method accessor = MODEL_ACCESSORS.get(args[0].getClass());
        if (accessor == null) {
            return "none";
        }
        try {
            Object model = accessor.invoke(args[0]);
            return model == null ? "none" : model.toString();
        } catch (ReflectiveOperationException unreadable) {
            return "none";
        }
    }

    /**
     * Each request type's {@code model} accessor, looked up once: the JDK builds a record's components anew on every
     * {@link Class#getRecordComponents} call, which cost about 5% of a request thread's CPU when done per call.
     */
    private static final ClassValue<Method> MODEL_ACCESSORS = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            if (!type.isRecord()) {
                return null;
            }
            for (RecordComponent component : type.getRecordComponents()) {
                if (component.getName().equals("model") && component.getType() == String.class) {
                    Method accessor = component.getAccessor();
                    accessor.trySetAccessible();
                    return accessor;
                }
            }
            return null;
        }
    };
}
