package dev.tollgate.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake Workers AI for benchmarks: HTTP/1.1 with keep-alive, one thread per connection, and every answer written
 * in a single segment with Nagle off. MockWebServer writes headers and body apart, which costs a 40 ms delayed-ACK
 * stall on some exchanges and would make the "direct" baseline look slow; a real upstream does not behave like that.
 * Answers the run endpoint: the JSON envelope, or an SSE stream when the body asks for {@code "stream":true}.
 * <p>
 * A request whose prompt holds {@link #TAKES_MODEL_TIME} is answered after the model time given to the constructor,
 * as a real model would (the stream's first event after the wait, the rest at once); any other at once. The switch
 * is in the request because Tollgate has one upstream: the prompt is what it passes on untouched, so the direct and
 * the metered call of a row reach this one fake and wait alike. A prompt holding {@link #takes(long)} waits the time it
 * names instead, so a benchmark can give each call a model time of its own and subtract it again.
 */
final class FastUpstream implements AutoCloseable {
    static final String ANSWER = "{\"result\":{\"response\":\"Cheese.\",\"usage\":{\"prompt_tokens\":16,"
            + "\"completion_tokens\":4,\"total_tokens\":20}},\"success\":true,\"errors\":[],\"messages\":[]}";
    static final String STREAM = "data: {\"response\":\"Chee\"}\n\ndata: {\"response\":\"se.\"}\n\n"
            + "data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":16,\"completion_tokens\":4,"
            + "\"total_tokens\":20}}\n\ndata: [DONE]\n\n";

    static final String TAKES_MODEL_TIME = "[take the model time]";
    private static final String TAKES = "[take ";
    private static final String MS = " ms]";
    private static final String CALL = "[call ";

    /**
     * When a call named by {@link #call(long)} was read here and when its answer was written ({@link System#nanoTime},
     * the bench's clock too): what lies before and after the upstream on the caller's way.
     */
    record Seen(long read, long answered) {
    }

    private final Map<Long, Seen> seen = new ConcurrentHashMap<>();

    private final ServerSocket server;
    private final long modelMillis;
    private final AtomicInteger connections = new AtomicInteger();

    FastUpstream(long modelMillis) throws IOException {
        this.modelMillis = modelMillis;
        server = new ServerSocket(0, 512, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::accept, "fast-upstream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A prompt marker that makes this one request take {@code millis} of model time, whatever the constructor said. */
    static String takes(long millis) {
        return TAKES + millis + MS;
    }

    /** A prompt marker naming one call, so that {@link #seen(long)} can tell when it was read and answered. */
    static String call(long id) {
        return CALL + id + "]";
    }

    /** When the call named {@code id} was read and answered here; null if it never arrived. Forgets it. */
    Seen seen(long id) {
        return seen.remove(id);
    }

    private static long callId(String request) {
        int at = request.indexOf(CALL);
        if (at < 0) {
            return -1;
        }
        int end = request.indexOf(']', at);
        return end > at ? Long.parseLong(request.substring(at + CALL.length(), end)) : -1;
    }

    private long modelTime(String request) {
        int at = request.indexOf(TAKES);
        if (at >= 0) {
            int end = request.indexOf(MS, at);
            if (end > at) {
                return Long.parseLong(request.substring(at + TAKES.length(), end));
            }
        }
        return request.contains(TAKES_MODEL_TIME) ? modelMillis : 0;
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far: a client that keeps its connections alive opens few. */
    int connectionsOpened() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.incrementAndGet();
                socket.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(socket), "fast-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = new BufferedInputStream(socket.getInputStream());
             OutputStream out = socket.getOutputStream()) {
            while (true) {
                if (readLine(in) == null) {
                    return; // the client closed its kept-alive connection
                }
                int length = 0;
                String line;
                while ((line = readLine(in)) != null && !line.isEmpty()) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).trim());
                    }
                }
                if (line == null) {
                    return;
                }
                byte[] body = in.readNBytes(length);
                long read = System.nanoTime();
                String text = new String(body, StandardCharsets.UTF_8);
                long wait = modelTime(text);
                if (wait > 0) {
                    Thread.sleep(wait);
                }
                boolean stream = text.contains("\"stream\":true");
                String payload = stream ? STREAM : ANSWER;
                byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
                String head = "HTTP/1.1 200 OK\r\nContent-Type: " + (stream ? "text/event-stream" : "application/json")
                        + "\r\nContent-Length: " + bytes.length + "\r\n\r\n";
                ByteArrayOutputStream whole = new ByteArrayOutputStream(head.length() + bytes.length);
                whole.write(head.getBytes(StandardCharsets.US_ASCII));
                whole.write(bytes);
                long id = callId(text);
                if (id >= 0) {
                    // Recorded before the answer leaves, so the caller never looks for it too early.
                    seen.put(id, new Seen(read, System.nanoTime()));
                }
                out.write(whole.toByteArray());
                out.flush();
            }
        } catch (IOException | RuntimeException gone) {
            // the client closed its connection
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    /** One CRLF-terminated line, or null at the end of the stream; {@link LeanClient} reads its answers with it too. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
