package dev.tollgate.web.ops;

import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Meters by their label values. Building and registering a meter on every request asks the registry to hash and
 * compare the whole id (name and every tag) under its lock each time; a map from the label values is a fraction of
 * that. Labels here are bounded sets (surfaces, statuses, models of the price book, event types).
 */
final class MeterCache<M extends Meter> {
    private final ConcurrentHashMap<List<String>, M> meters = new ConcurrentHashMap<>();
    private final Function<List<String>, M> register;

    /** {@code register} builds and registers the meter for label values in the order {@link #get} is given them. */
    MeterCache(Function<List<String>, M> register) {
        this.register = register;
    }

    M get(String... labels) {
        List<String> key = List.of(labels);
        M meter = meters.get(key);
        return meter != null ? meter : meters.computeIfAbsent(key, register);
    }
}
