package dev.tollgate.domain.metering;

/** One message of a chat: a role ("system", "user", "assistant") and its text. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a message needs a role");
        }
        if (content == null) {
            throw new IllegalArgumentException("a message needs content");
        }
    }
}
