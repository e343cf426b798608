package dev.tollgate.web.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ResolvableDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import java.io.IOException;

/**
 * Reads the two values that fill every stored event, {@code {"nanos":…}} (Money) and {@code {"value":…}}
 * (AccountId), straight from the parser. Jackson's general record path (buffer the properties, then call the
 * constructor by reflection) ran several times per event and was a third of reading an event back (ADR 22). The
 * JSON is the same and the same constructors decide; a shape other than an object goes to Jackson's own reader.
 */
final class StoredValuesModule extends SimpleModule {
    StoredValuesModule() {
        super("stored-values");
        setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription description,
                                                          JsonDeserializer<?> general) {
                Class<?> type = description.getBeanClass();
                if (type == Money.class) {
                    return new OneField<>(Money.class, "nanos", general) {
                        @Override
                        Money read(JsonParser parser, DeserializationContext context) throws IOException {
                            return new Money(parser.currentToken() == JsonToken.VALUE_NUMBER_INT
                                    ? parser.getLongValue() : context.readValue(parser, long.class));
                        }

                        @Override
                        Money absent() {
                            return new Money(0);
                        }
                    };
                }
                if (type == AccountId.class) {
                    return new OneField<>(AccountId.class, "value", general) {
                        @Override
                        AccountId read(JsonParser parser, DeserializationContext context) throws IOException {
                            return new AccountId(parser.getValueAsString());
                        }

                        @Override
                        AccountId absent() {
                            return new AccountId(null);
                        }
                    };
                }
                return general;
            }
        });
    }

    /** A record of one field read from an object: other fields are skipped, as the general reader does. */
    private abstract static class OneField<T> extends StdDeserializer<T> implements ResolvableDeserializer {
        private final String field;
        private final JsonDeserializer<?> general;

        OneField(Class<T> type, String field, JsonDeserializer<?> general) {
            super(type);
            this.field = field;
            this.general = general;
        }

        abstract T read(JsonParser parser, DeserializationContext context) throws IOException;

        abstract T absent();

        @Override
        public void resolve(DeserializationContext context) throws com.fasterxml.jackson.databind.JsonMappingException {
            if (general instanceof ResolvableDeserializer resolvable) {
                resolvable.resolve(context);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public T deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonToken token = parser.currentToken();
            if (token == JsonToken.START_OBJECT) {
                token = parser.nextToken();
            } else if (token != JsonToken.FIELD_NAME && token != JsonToken.END_OBJECT) {
                return (T) general.deserialize(parser, context);
            }
            T value = null;
            for (; token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String name = parser.currentName();
                parser.nextToken();
                if (field.equals(name)) {
                    value = construct(parser, context, true);
                } else {
                    parser.skipChildren();
                }
            }
            return value != null ? value : construct(parser, context, false);
        }

        @SuppressWarnings("unchecked")
        private T construct(JsonParser parser, DeserializationContext context, boolean present) throws IOException {
            try {
                return present ? read(parser, context) : absent();
            } catch (IllegalArgumentException rejected) {
                return (T) context.handleInstantiationProblem(handledType(), null, rejected);
            }
        }
    }
}
