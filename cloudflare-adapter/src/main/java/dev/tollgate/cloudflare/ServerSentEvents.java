package dev.tollgate.cloudflare;

import okio.BufferedSource;

import java.io.IOException;

/**
 * Reads {@code text/event-stream} and hands on the data of each event. Only what Workers AI uses is understood:
 * {@code data:} lines (joined with newlines when an event has several), blank lines ending an event; comments,
 * {@code event:}, {@code id:} and {@code retry:} lines are skipped.
 */
final class ServerSentEvents {

    interface DataHandler {
        /** @return true when this data ends the stream ({@code [DONE]}) */
        boolean onData(String data) throws IOException;
    }

    private ServerSentEvents() {
    }

    /** @return true when the stream ended with {@code [DONE]}, false when it simply stopped (truncated) */
    static boolean read(BufferedSource source, DataHandler handler) throws IOException {
        StringBuilder data = null;
        String line;
        while ((line = source.readUtf8Line()) != null) {
            if (line.isEmpty()) {
                if (data != null && handler.onData(data.toString())) {
                    return true;
                }
                data = null;
            } else if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        // A last event without its blank line still counts if it is the terminator; anything else is truncation.
        return data != null && handler.onData(data.toString());
    }
}
