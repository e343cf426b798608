package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The tool loop's messages (ADR 44): an assistant's calls may stand in for its text, and nothing else may. */
class ChatMessageTest {
    private static final String CALLS = "[{\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]";

    @Test
    void anAssistantMessageThatCarriesToolCallsNeedsNoText() {
        ChatMessage call = new ChatMessage("assistant", null, CALLS, null);

        assertThat(call.content()).isNull();
        assertThat(call.toolCalls()).isEqualTo(CALLS);
    }

    @Test
    void aMessageWithNeitherTextNorToolCallsCannotExist() {
        assertThatThrownBy(() -> new ChatMessage("assistant", null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChatMessage("user", null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toolCallsAndToolDefinitionsAreJsonArrays() {
        assertThatThrownBy(() -> new ChatMessage("assistant", null, "{\"name\":\"f\"}", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChatRequest("m", List.of(new ChatMessage("user", "hi")), 8, null,
                Sampling.NONE, "{}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ChatCompletion("", null, null, "\"f\""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTextMessageAndARequestWithoutToolsCarryNone() {
        ChatRequest chat = new ChatRequest("m", List.of(new ChatMessage("user", "hi")), 8, null);

        assertThat(chat.tools()).isNull();
        assertThat(chat.messages().get(0).toolCalls()).isNull();
        assertThat(chat.messages().get(0).toolCallId()).isNull();
    }
}
