package dev.tollgate.api.account;

/**
 * The idempotency part of a money command: the client's key (optional) and a fingerprint of the request body
 * it came with, so that the same key with a different body can be told apart from an honest retry.
 */
public record Intent(IdempotencyKey key, String fingerprint) {
    public static final Intent NONE = new Intent(null, null);

    public Intent {
        if (key != null && (fingerprint == null || fingerprint.isEmpty())) {
            throw new IllegalArgumentException("an idempotency key needs the fingerprint of its request");
        }
    }

    public static Intent of(IdempotencyKey key, String fingerprint) {
        return key == null ? NONE : new Intent(key, fingerprint);
    }

    public boolean hasKey() {
        return key != null;
    }
}
