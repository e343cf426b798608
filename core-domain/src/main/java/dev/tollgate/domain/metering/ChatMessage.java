package dev.tollgate.domain.metering;

/**
 * One message of a chat: a role ("system", "user", "assistant", "tool") and its text. Function calling adds fields
 * that travel as the caller wrote them (ADR 44): an assistant's {@code toolCalls}, the JSON text of the calls it
 * asked for, and a tool result's {@code toolCallId} and {@code name}, naming the call it answers (OpenAI's form) or
 * the function that produced it (Workers AI's own function-calling examples).
 *
 * @param content    the text; null only for an assistant message that carries tool calls instead
 * @param toolCalls  the JSON text of a non-empty array of the calls the assistant made, or null
 * @param toolCallId the call a {@code tool} message answers, or null
 * @param name       the function whose result a {@code tool} message carries, or null
 */
public record ChatMessage(String role, String content, String toolCalls, String toolCallId, String name) {
    /** A message of text alone. */
    public ChatMessage(String role, String content) {
        this(role, content, null, null, null);
    }

    /** A message that names no function. */
    public ChatMessage(String role, String content, String toolCalls, String toolCallId) {
        this(role, content, toolCalls, toolCallId, null);
    }

    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("a message needs a role");
        }
        if (toolCalls != null && !toolCalls.strip().startsWith("[")) {
            throw new IllegalArgumentException("tool calls are a JSON array");
        }
        if (content == null && toolCalls == null) {
            throw new IllegalArgumentException("a message needs content");
        }
    }
}
