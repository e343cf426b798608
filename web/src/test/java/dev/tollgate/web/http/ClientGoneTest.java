package dev.tollgate.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.catalina.connector.ClientAbortException;
import org.junit.jupiter.api.Test;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;

/** A client that closed its connection mid-answer is not a failure of Tollgate's (nothing logged as an error). */
class ClientGoneTest {

    @Test
    void aClientThatClosedTheConnectionWhileItsAnswerWasWrittenIsGone() {
        assertThat(ErrorHandling.clientGone(new ClientAbortException(new IOException("Broken pipe")))).isTrue();
        assertThat(ErrorHandling.clientGone(new IllegalStateException("writing failed",
                new AsyncRequestNotUsableException("ServletOutputStream failed to flush")))).isTrue();
    }

    @Test
    void anyOtherFailureIsNot() {
        assertThat(ErrorHandling.clientGone(new IOException("No space left on device"))).isFalse();
        assertThat(ErrorHandling.clientGone(new IllegalStateException("bug"))).isFalse();
    }
}
