package dev.tollgate.web.http;

import dev.tollgate.domain.metering.ChatMessage;
import dev.tollgate.domain.metering.ChatRequest;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Holds a chat's text to the JSON body limit on every surface (ADR 53). OpenAI's and Cloudflare's paths take bodies up
 * to the upload limit because a photo may travel in them; text that large is no prompt any model reads, yet it would
 * be estimated, held for and — by a provider that answers — charged.
 */
@Component
public class ChatTextLimit {
    private final long maxChars;

    public ChatTextLimit(@Value("${tollgate.max-body-bytes}") DataSize maxBody) {
        this.maxChars = maxBody.toBytes();
    }

    /** The request, when its text (messages, tool calls, tool definitions) is within the limit; otherwise a 413. */
    public ChatRequest within(ChatRequest request) {
        long chars = length(request.tools());
        for (ChatMessage message : request.messages()) {
            chars += length(message.content()) + length(message.toolCalls());
        }
        if (chars > maxChars) {
            throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "The chat's text is longer than "
                    + maxChars + " characters; only images and audio may make a request larger than that.");
        }
        return request;
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }
}
