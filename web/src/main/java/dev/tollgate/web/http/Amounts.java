package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.money.InvalidAmountException;
import dev.tollgate.api.money.Money;

/** The JSON edge of money: amounts must arrive as decimal strings; a JSON number is refused, not rounded. */
final class Amounts {
    private Amounts() {
    }

    static Money positive(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull()) {
            throw new InvalidAmountException(field + " is required, as a decimal string in USD such as \"12.50\"");
        }
        if (!node.isTextual()) {
            throw new InvalidAmountException(field + " must be a decimal string in USD such as \"12.50\", not a "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return Money.parsePositiveUsd(node.textValue());
    }

    /** An amount that may be {@code null} (no limit, no cap) or absent (also {@code null}); zero is allowed. */
    static Money nullableUsd(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidAmountException(field + " must be a decimal string in USD such as \"25.00\", or null");
        }
        return Money.parseUsd(node.textValue());
    }

    static String usdOrNull(Money money) {
        return money == null ? null : money.toUsdString();
    }

    /**
     * A body that may be left out (no body, or an empty one, arrives as {@code null}) but, when sent, is a JSON object:
     * {@code []}, {@code null} or {@code "x"} name nothing and must not be taken for an empty object.
     */
    static JsonNode optionalObject(JsonNode body) {
        if (body != null && !body.isObject()) {
            throw ApiException.badRequest("The body must be a JSON object.");
        }
        return body;
    }

    static String requiredText(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull() || (node.isTextual() && node.textValue().isBlank())) {
            throw ApiException.badRequest(field + " is required");
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        return withoutNul(field, node.textValue());
    }

    /**
     * Text that is kept (a name, an email, a note) may not hold U+0000: PostgreSQL cannot store it in a text column, so
     * it would be a 500 there (and in an event's note, a read model that can never record that event) while the
     * embedded default took it. Refused alike on both, as the invalid input it is.
     */
    private static String withoutNul(String field, String text) {
        if (text.indexOf('\0') >= 0) {
            throw ApiException.badRequest(field + " must not contain the NUL character (\\u0000)");
        }
        // Half a surrogate pair is no character: UTF-8 cannot hold it, so PostgreSQL would keep a "?" where the
        // embedded default kept what was sent.
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ApiException.badRequest(field + " must be valid Unicode text: it holds half of a surrogate pair");
            }
        }
        return text;
    }

    static String optionalText(JsonNode body, String field, int maxLength) {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest(field + " must be a string");
        }
        if (node.textValue().length() > maxLength) {
            throw ApiException.badRequest(field + " is longer than " + maxLength + " characters");
        }
        return withoutNul(field, node.textValue());
    }

    /** An optional time with its offset ({@code "2026-12-01T00:00:00Z"}); absent or null → {@code null}. */
    static java.time.Instant optionalTime(JsonNode body, String field) {
        JsonNode node = body == null ? null : body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            if (node.isTextual()) {
                return java.time.OffsetDateTime.parse(node.textValue()).toInstant();
            }
        } catch (java.time.format.DateTimeParseException bad) {
            // answered below, as for a value that is not text
        }
        throw ApiException.badRequest(field + " must be a time with its offset, such as \"2026-12-01T00:00:00Z\"");
    }

    static IdempotencyKey idempotencyKey(String header) {
        if (header == null) {
            return null;
        }
        try {
            return new IdempotencyKey(header);
        } catch (IllegalArgumentException bad) {
            throw ApiException.badRequest(bad.getMessage());
        }
    }
}
