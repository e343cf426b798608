package dev.tollgate.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * The benchmark's load: HTTP/1.1 POSTs on blocking sockets kept alive in a pool per server (a caller takes one,
 * opening one only when none is idle, and gives it back), the answer read on the caller's own thread (with
 * {@code Content-Length} or chunked). On two cores the load shares the CPU with Tollgate: the JDK's
 * {@code HttpClient} hands every exchange between its selector thread and an executor thread and back to the caller,
 * and that CPU, and those wake-ups, queue in front of Tollgate's own work. A load generator on a machine of its own
 * would cost Tollgate nothing; this one costs it as little as it can.
 */
final class LeanClient {
    /** A request ready to be written: its server and its bytes. */
    record Request(String host, int port, byte[] bytes) {
    }

    /** The status, and when the answer's first body byte was read ({@link System#nanoTime}). */
    record Answer(int status, long firstByteAt, boolean hadBody) {
    }

    /** Idle kept-alive connections per server port: a caller takes one (or opens one) and gives it back. */
    private final Map<Integer, Deque<Connection>> idle = new ConcurrentHashMap<>();

    static Request post(URI uri, String token, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                + content.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[headBytes.length + content.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(content, 0, all, headBytes.length, content.length);
        return new Request(uri.getHost(), uri.getPort(), all);
    }

    /** Sends the request and reads its whole answer; a kept-alive connection the server closed is opened again once. */
    Answer send(Request request) throws IOException {
        Deque<Connection> pool = idle.computeIfAbsent(request.port(), port -> new ConcurrentLinkedDeque<>());
        Connection connection = pool.pollFirst();
        boolean reused = connection != null;
        if (connection == null) {
            connection = new Connection(request.host(), request.port());
        }
        Answer answer;
        try {
            answer = connection.exchange(request.bytes());
        } catch (IOException closed) {
            connection.close();
            if (!reused || connection.answered) {
                throw closed;
            }
            connection = new Connection(request.host(), request.port());
            answer = connection.exchange(request.bytes());
        }
        if (!connection.closed) {
            pool.addFirst(connection);
        }
        return answer;
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        /** Whether any of the current exchange's answer was read: then it is not sent again. */
        boolean answered;
        boolean closed;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(60_000);
            in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            out = socket.getOutputStream();
        }

        Answer exchange(byte[] request) throws IOException {
            answered = false;
            out.write(request);
            out.flush();
            String status = FastUpstream.readLine(in);
            if (status == null) {
                throw new IOException("closed before an answer");
            }
            answered = true;
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String line;
            while ((line = FastUpstream.readLine(in)) != null && !line.isEmpty()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            long firstByteAt = 0;
            boolean hadBody = false;
            if (chunked) {
                while (true) {
                    String size = FastUpstream.readLine(in);
                    if (size == null) {
                        throw new IOException("chunked answer cut short");
                    }
                    int semicolon = size.indexOf(';');
                    long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                    if (n == 0) {
                        while ((line = FastUpstream.readLine(in)) != null && !line.isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    if (!hadBody) {
                        in.read();
                        firstByteAt = System.nanoTime();
                        hadBody = true;
                        n--;
                    }
                    skip(n);
                    FastUpstream.readLine(in);
                }
            } else if (length > 0) {
                in.read();
                firstByteAt = System.nanoTime();
                hadBody = true;
                skip(length - 1);
            }
            if (close) {
                close();
            }
            return new Answer(code, hadBody ? firstByteAt : System.nanoTime(), hadBody);
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("answer cut short");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        void close() {
            closed = true;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
