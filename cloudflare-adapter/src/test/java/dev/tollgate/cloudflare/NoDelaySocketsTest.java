package dev.tollgate.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import org.junit.jupiter.api.Test;

class NoDelaySocketsTest {

    @Test
    void sockets_for_the_upstream_never_hold_back_small_writes() throws Exception {
        // when
        try (Socket socket = new NoDelaySockets().createSocket()) {
            // then
            assertThat(socket.getTcpNoDelay()).isTrue();
            assertThat(socket.isConnected()).as("OkHttp connects it itself").isFalse();
        }
    }
}
