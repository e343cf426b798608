package dev.tollgate.web.http;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A server-sent-events writer that opens the stream lazily (so a failure before the first byte can still be
 * answered as a normal JSON error) and survives a client that goes away: writes to a closed connection are
 * dropped, and the call goes on so that what the provider produced is still settled.
 */
public final class ChatStreams {
    private final HttpServletResponse response;
    private OutputStream out;
    private boolean clientGone;

    public ChatStreams(HttpServletResponse response) {
        this.response = response;
    }

    public boolean started() {
        return out != null;
    }

    public boolean clientGone() {
        return clientGone;
    }

    /** Sends one {@code data:} line: a JSON document, or the literal [DONE]. */
    public void data(String json) {
        if (clientGone) {
            return;
        }
        try {
            if (out == null) {
                response.setStatus(200);
                response.setContentType("text/event-stream");
                response.setCharacterEncoding("UTF-8");
                response.setHeader("Cache-Control", "no-cache");
                response.setHeader("X-Accel-Buffering", "no");
                out = response.getOutputStream();
            }
            out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException disconnected) {
            clientGone = true;
        }
    }
}
