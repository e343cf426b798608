package dev.tollgate.web.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class RetryHintsTest {

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {409, 502, 504})
    void anAnswerThatARetryCannotChangeTellsSdksNotToRetry(int status) throws Exception {
        // given a handler that answers with the status, set directly or as an error
        MockHttpServletResponse set = through(status, false);
        MockHttpServletResponse sent = through(status, true);

        // then both carry x-should-retry: false
        assertThat(set.getHeader("x-should-retry")).isEqualTo("false");
        assertThat(sent.getHeader("x-should-retry")).isEqualTo("false");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {200, 400, 402, 408, 429, 500, 503})
    void otherAnswersLeaveRetryingToTheClient(int status) throws Exception {
        assertThat(through(status, false).getHeader("x-should-retry")).isNull();
        assertThat(through(status, true).getHeader("x-should-retry")).isNull();
    }

    private static MockHttpServletResponse through(int status, boolean asError) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        new RetryHints().doFilter(new MockHttpServletRequest("POST", "/v1/chat/completions"), response,
                new MockFilterChain(new jakarta.servlet.http.HttpServlet() {
                    @Override
                    protected void service(jakarta.servlet.http.HttpServletRequest request,
                                           HttpServletResponse answer) throws java.io.IOException {
                        if (asError) {
                            answer.sendError(status);
                        } else {
                            answer.setStatus(status);
                        }
                    }
                }));
        return response;
    }
}
