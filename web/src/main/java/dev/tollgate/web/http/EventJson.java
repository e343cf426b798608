package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.api.money.Money;
import java.util.Iterator;
import java.util.Map;

/**
 * A stored event's JSON (payload or metadata) in the API's conventions (ADR 38): snake_case keys, money as a USD
 * decimal string, ids as plain strings. The event store keeps what the Axon mapper wrote from the records:
 * camelCase names, {@code Money} as {@code {"nanos":…}} and the one-value ids ({@code AccountId},
 * {@code IdempotencyKey}) as {@code {"value":"…"}}. Those are recognised by their shape, not by the event's class,
 * so every stored revision of every event reads the same way, upcast or not.
 */
final class EventJson {
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE = new PropertyNamingStrategies.SnakeCaseStrategy();

    private EventJson() {
    }

    static JsonNode render(JsonNode stored, JsonNodeFactory nodes) {
        if (stored == null) {
            return null;
        }
        if (stored.isArray()) {
            ArrayNode items = nodes.arrayNode(stored.size());
            stored.forEach(item -> items.add(render(item, nodes)));
            return items;
        }
        if (!stored.isObject()) {
            return stored;
        }
        if (stored.size() == 1) {
            JsonNode nanos = stored.get("nanos");
            if (nanos != null && nanos.isIntegralNumber() && nanos.canConvertToLong()) {
                return nodes.textNode(Money.ofNanos(nanos.longValue()).toUsdString());
            }
            JsonNode value = stored.get("value");
            if (value != null && value.isTextual()) {
                return value;
            }
        }
        ObjectNode fields = nodes.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = stored.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            fields.set(SNAKE_CASE.translate(field.getKey()), render(field.getValue(), nodes));
        }
        return fields;
    }
}
