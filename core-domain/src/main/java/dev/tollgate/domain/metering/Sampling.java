package dev.tollgate.domain.metering;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sampling fields that the Workers AI reference lists for text generation beside {@code temperature}, as the
 * caller sent them (ADR 40). Only those names can be held, so nothing undocumented is ever forwarded. The reference
 * gives them no ranges, so none are checked here: a value the model refuses is its own 400, before any output.
 *
 * @param values the caller's values by Workers AI's field name; a field the caller did not send is absent
 */
public record Sampling(Map<String, BigDecimal> values) {
    /** Workers AI's names, in the order the reference lists them. */
    public static final List<String> NAMES = List.of("top_p", "top_k", "seed", "repetition_penalty",
            "frequency_penalty", "presence_penalty");
    public static final Sampling NONE = new Sampling(Map.of());

    public Sampling {
        if (values == null) {
            throw new IllegalArgumentException("sampling values are required (empty for none)");
        }
        Map<String, BigDecimal> ordered = new LinkedHashMap<>();
        for (String name : NAMES) {
            if (values.containsKey(name)) {
                BigDecimal value = values.get(name);
                if (value == null) {
                    throw new IllegalArgumentException(name + " must be a number");
                }
                ordered.put(name, value);
            }
        }
        if (ordered.size() != values.size()) {
            throw new IllegalArgumentException("only " + String.join(", ", NAMES) + " are sampling fields");
        }
        values = Collections.unmodifiableMap(ordered);
    }
}
