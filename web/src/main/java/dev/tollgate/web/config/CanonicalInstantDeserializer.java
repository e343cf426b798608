package dev.tollgate.web.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.Instant;

/**
 * Reads the times inside stored events (every event has at least one) with {@link InstantText}; any other shape goes
 * to Jackson's own {@link InstantDeserializer}, so what could be read before still reads the same.
 */
final class CanonicalInstantDeserializer extends StdScalarDeserializer<Instant> {
    CanonicalInstantDeserializer() {
        super(Instant.class);
    }

    @Override
    public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        if (parser.hasToken(JsonToken.VALUE_STRING)) {
            Instant canonical = InstantText.parseCanonical(parser.getText());
            if (canonical != null) {
                return canonical;
            }
        }
        return InstantDeserializer.INSTANT.deserialize(parser, context);
    }
}
