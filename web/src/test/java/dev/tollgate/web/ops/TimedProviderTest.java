package dev.tollgate.web.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ProviderException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimedProviderTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ProviderReachability reachability = new ProviderReachability(Clock.systemUTC());
    private final List<String> reached = new ArrayList<>();

    @Test
    void everyMethodOfThePortReachesTheRealProviderIncludingOnesAddedLater() throws Exception {
        InferenceProvider timed = TimedProvider.wrap(recording(null), () -> meters, reachability);

        List<String> ports = new ArrayList<>();
        for (Method method : InferenceProvider.class.getMethods()) {
            if (Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            ports.add(method.getName());
            method.invoke(timed, Arrays.stream(method.getParameterTypes()).map(TimedProviderTest::anyValue).toArray());
        }

        // name() is answered from what the provider said at wrapping time; everything else is delegated
        assertThat(reached).containsAll(ports.stream().filter(n -> !n.equals("name")).toList());
    }

    @Test
    void aCallIsTimedByModelAndOutcomeAndAFailureIsPassedOnUnchanged() {
        ProviderException down = ProviderException.of(ProviderException.Kind.UPSTREAM, "upstream said 500");
        InferenceProvider ok = TimedProvider.wrap(recording(null), () -> meters, reachability);
        InferenceProvider failing = TimedProvider.wrap(recording(down), () -> meters, reachability);

        ok.chat(chat());
        assertThatThrownBy(() -> failing.chat(chat())).isSameAs(down);

        assertThat(meters.get("tollgate.upstream.latency").tags("operation", "chat", "outcome", "ok",
                "model", "@cf/meta/llama-3.1-8b-instruct", "provider", "fake").timer().count()).isEqualTo(1);
        assertThat(meters.get("tollgate.upstream.latency").tags("outcome", "upstream").timer().count()).isEqualTo(1);
        assertThat(reachability.snapshot().lastCallFailed()).isTrue();
        assertThat(reachability.snapshot().lastFailureKind()).isEqualTo("upstream");
    }

    @Test
    void aRefusalIsAnAnswerTheProviderWasReached() {
        ProviderException limited = ProviderException.of(ProviderException.Kind.RATE_LIMITED, "slow down");
        InferenceProvider timed = TimedProvider.wrap(recording(limited), () -> meters, reachability);

        assertThatThrownBy(() -> timed.chat(chat())).isSameAs(limited);

        assertThat(reachability.snapshot().lastCallFailed()).isFalse();
        assertThat(reachability.snapshot().lastAnswer()).isNotNull();
    }

    private static ChatRequest chat() {
        return new ChatRequest("@cf/meta/llama-3.1-8b-instruct", List.of(new ChatMessage("user", "hi")), 10, null);
    }

    /** A provider that records each method it is asked for and answers with a neutral value (or fails). */
    private InferenceProvider recording(RuntimeException failure) {
        return (InferenceProvider) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {InferenceProvider.class}, (proxy, method, args) -> {
                    if (method.getName().equals("name")) {
                        return "fake";
                    }
                    reached.add(method.getName());
                    if (failure != null) {
                        throw failure;
                    }
                    if (method.getReturnType() == ChatCompletion.class) {
                        return new ChatCompletion("ok", null, "stop");
                    }
                    return anyValue(method.getReturnType());
                });
    }

    private static Object anyValue(Class<?> type) {
        if (type == ChatRequest.class) {
            return chat();
        }
        if (type == List.class) {
            return List.of();
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == int.class || type == long.class || type == double.class) {
            return 0;
        }
        return null;
    }
}
