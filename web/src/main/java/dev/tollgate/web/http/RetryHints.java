package dev.tollgate.web.http;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Says {@code x-should-retry: false} on answers that the same request sent again cannot change. OpenAI's and
 * Cloudflare's SDKs retry 409 and every 5xx twice by default unless told so. A 502 comes after Tollgate has already
 * tried the upstream as often as it safely can (ADR 36), so the SDK's two retries made nine upstream calls of one; a
 * 504 is an upstream that had the whole call and may be running it, which ADR 36 does not try again for fear of
 * paying twice, and neither should the SDK without an idempotency key; and a 409 (the same idempotency key with
 * another body, an email taken) was sent three times. A 503 (storage away) and a 429 keep the SDK's own judgement:
 * they pass, and the 429 says when with Retry-After.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
public class RetryHints extends OncePerRequestFilter {
    static final String HEADER = "x-should-retry";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(request, new Hinted(response));
    }

    static boolean retryCannotHelp(int status) {
        return status == HttpServletResponse.SC_CONFLICT || status == HttpServletResponse.SC_BAD_GATEWAY
                || status == HttpServletResponse.SC_GATEWAY_TIMEOUT;
    }

    private static final class Hinted extends HttpServletResponseWrapper {
        Hinted(HttpServletResponse response) {
            super(response);
        }

        @Override
        public void setStatus(int status) {
            hint(status);
            super.setStatus(status);
        }

        @Override
        public void sendError(int status) throws IOException {
            hint(status);
            super.sendError(status);
        }

        @Override
        public void sendError(int status, String message) throws IOException {
            hint(status);
            super.sendError(status, message);
        }

        private void hint(int status) {
            if (retryCannotHelp(status) && !isCommitted()) {
                setHeader(HEADER, "false");
            }
        }
    }
}
