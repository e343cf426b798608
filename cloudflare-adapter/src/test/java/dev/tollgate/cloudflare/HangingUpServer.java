package dev.tollgate.cloudflare;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on 127.0.0.1 that never answers but hangs up, at a chosen point of the exchange. MockWebServer can close
 * a connection after the request, but not reset it, nor stop reading halfway through a body, nor drop a connection
 * before anything could be written on it; each tells the client something different about whether Workers AI saw
 * the call.
 */
final class HangingUpServer implements AutoCloseable {

    enum HangUp {
        /** Reads the whole request, then resets the connection (RST) without a word of answer. */
        RESETS_AFTER_THE_REQUEST,
        /** Reads the request's head and never its body, so a large upload stalls part way. */
        STOPS_READING_AFTER_THE_HEAD,
        /** Reached over https, closes the connection before the handshake: no request can ever be written. */
        CLOSES_BEFORE_THE_HANDSHAKE
    }

    private final HangUp hangUp;
    private final ServerSocket socket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final AtomicInteger requestsRead = new AtomicInteger();

    HangingUpServer(HangUp hangUp) throws IOException {
        this.hangUp = hangUp;
        socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::acceptForever, "hanging-up-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String apiBase() {
        String scheme = hangUp == HangUp.CLOSES_BEFORE_THE_HANDSHAKE ? "https" : "http";
        return scheme + "://127.0.0.1:" + socket.getLocalPort() + "/client/v4";
    }

    int connections() {
        return accepted.size();
    }

    /** Requests read in full, body and all. */
    int requestsRead() {
        return requestsRead.get();
    }

    private void acceptForever() {
        try {
            while (!socket.isClosed()) {
                Socket client = socket.accept();
                accepted.add(client);
                Thread connection = new Thread(() -> hangUpOn(client), "hanging-up-connection");
                connection.setDaemon(true);
                connection.start();
            }
        } catch (IOException closed) {
            // close() ends the accept loop.
        }
    }

    private void hangUpOn(Socket client) {
        try {
            switch (hangUp) {
                case CLOSES_BEFORE_THE_HANDSHAKE -> client.close();
                case STOPS_READING_AFTER_THE_HEAD -> readHead(client.getInputStream());
                case RESETS_AFTER_THE_REQUEST -> {
                    InputStream in = client.getInputStream();
                    in.skipNBytes(readHead(in));
                    requestsRead.incrementAndGet();
                    client.setSoLinger(true, 0);
                    client.close();
                }
            }
        } catch (IOException gone) {
            // The client gave up first; nothing to report from a fake.
        }
    }

    /** @return the Content-Length of the request whose head was read (0 when it names none) */
    private static long readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int lastFour = 0;
        while (lastFour != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed inside the request's head");
            }
            head.write(b);
            lastFour = (lastFour << 8) | b;
        }
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket client : accepted) {
            client.close();
        }
    }
}
