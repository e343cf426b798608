package dev.tollgate.cloudflare;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A one-purpose server on 127.0.0.1 that starts an event stream, sends one event, then goes silent. MockWebServer
 * cannot flush part of a body and then stall, and a read timeout mid-stream needs exactly that.
 */
final class StallingEventStream implements AutoCloseable {

    private final ServerSocket socket;
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    StallingEventStream(String firstEvent) throws IOException {
        socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(() -> serve(firstEvent), "stalling-event-stream");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String apiBase() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/client/v4";
    }

    int connections() {
        return connections.get();
    }

    private void serve(String firstEvent) {
        try {
            while (!socket.isClosed()) {
                Socket client = socket.accept();
                connections.incrementAndGet();
                Thread stall = new Thread(() -> sendOneEventThenStall(client, firstEvent), "stalling-connection");
                stall.setDaemon(true);
                stall.start();
            }
        } catch (IOException closed) {
            // close() ends the accept loop.
        }
    }

    private void sendOneEventThenStall(Socket client, String firstEvent) {
        try (client) {
            byte[] chunk = firstEvent.getBytes(StandardCharsets.UTF_8);
            OutputStream out = client.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(chunk);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            release.await(3, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException closed) {
            // The test is over; nothing to report from a fake.
        }
    }

    @Override
    public void close() throws IOException {
        release.countDown();
        socket.close();
    }
}
