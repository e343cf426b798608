package dev.tollgate.web.ai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.domain.metering.Sampling;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sampling fields of a chat body that Workers AI documents ({@link Sampling#NAMES}), on every surface. Each is
 * optional (absent or null: not sent on); when given it must be a number. Ranges are the model's to judge: the
 * reference documents none (ADR 40). Any other field of the body is never forwarded.
 */
public final class SamplingInput {
    private SamplingInput() {
    }

    /** @throws Invalid naming the first field that is not a number */
    public static Sampling read(JsonNode body) {
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        for (String name : Sampling.NAMES) {
            JsonNode value = body.get(name);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isNumber()) {
                throw new Invalid(name);
            }
            values.put(name, value.decimalValue());
        }
        return new Sampling(values);
    }

    /** A sampling field that is not a number; {@link #field()} names it for surfaces that point at the parameter. */
    public static final class Invalid extends IllegalArgumentException {
        private final String field;

        Invalid(String field) {
            super(field + " must be a number");
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
