package dev.tollgate.api.account;

/** A client's name for one intent: the effect happens once, repeats get the first answer. */
public record IdempotencyKey(String value) {
    public IdempotencyKey {
        if (value == null || value.isEmpty() || value.length() > 255) {
            throw new IllegalArgumentException("Idempotency-Key must be 1-255 characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("Idempotency-Key must be printable ASCII without spaces");
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
