package dev.tollgate.web.config;

import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.UUID;
import org.axonframework.common.IdentifierFactory;

/**
 * Axon's identifiers for commands, events and deadlines: random UUIDs, as Axon's default makes them, drawn from a
 * generator of each thread's own. The default calls {@link UUID#randomUUID()}, whose single shared generator is a lock
 * that every request thread and command lane takes several times per metered call; under load a thread descheduled
 * while holding it kept the others waiting 7–32 ms (JFR, docs/benchmarks.md, session 24). Each thread's generator is
 * a DRBG seeded by the JDK from the system's entropy, so an identifier keeps its 122 random bits. Axon finds this class
 * through {@code META-INF/services/org.axonframework.common.IdentifierFactory}.
 */
public final class PerThreadIdentifiers extends IdentifierFactory {
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException unavailable) {
            return new SecureRandom();
        }
    });

    @Override
    public String generateIdentifier() {
        return randomUuid().toString();
    }

    /** A version 4 (random) UUID. */
    public static UUID randomUuid() {
        byte[] bits = randomBytes(16);
        bits[6] = (byte) ((bits[6] & 0x0f) | 0x40);
        bits[8] = (byte) ((bits[8] & 0x3f) | 0x80);
        ByteBuffer both = ByteBuffer.wrap(bits);
        return new UUID(both.getLong(), both.getLong());
    }

    /** Random bytes from this thread's own generator. */
    public static byte[] randomBytes(int count) {
        byte[] bits = new byte[count];
        RANDOM.get().nextBytes(bits);
        return bits;
    }
}
