package dev.tollgate.cloudflare;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server on 127.0.0.1 that accepts connections and never says a word. Reached over https, the client's TLS
 * handshake waits until it times out, so the connection is never set up and no request is ever written: the
 * "nothing was sent" side of a timeout, which MockWebServer cannot produce.
 */
final class SilentServer implements AutoCloseable {

    private final ServerSocket socket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    SilentServer() throws IOException {
        socket = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::acceptForever, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An https base: the handshake is what stalls. */
    String apiBase() {
        return "https://127.0.0.1:" + socket.getLocalPort() + "/client/v4";
    }

    int connections() {
        return accepted.size();
    }

    private void acceptForever() {
        try {
            while (!socket.isClosed()) {
                accepted.add(socket.accept());
            }
        } catch (IOException closed) {
            // close() ends the accept loop.
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket client : accepted) {
            client.close();
        }
    }
}
