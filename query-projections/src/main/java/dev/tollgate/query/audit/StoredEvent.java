package dev.tollgate.query.audit;

/** One event as it is stored: its place in the account's stream, type, time, and serialized payload and metadata. */
public record StoredEvent(long sequence, String payloadType, String revision, String timestamp, String eventId,
                          byte[] payload, byte[] metadata) {
}
