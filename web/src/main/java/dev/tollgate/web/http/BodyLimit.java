package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the configured size with a 413, before anything reads them (ADR 17). A declared
 * Content-Length is checked at once; a chunked body (no length) is read up to the limit and refused as soon as it
 * goes over, so a client cannot stream an endless body into a JSON parser. Media (audio, images, multipart) get a
 * larger limit of their own.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
public class BodyLimit extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(BodyLimit.class);
    /**
     * Endpoints whose JSON carries audio or images (as byte arrays or base64), and the raw Cloudflare surface. OpenAI's
     * chat path is one: its vision messages carry the image as a {@code data:} URL, so the same photo that the other
     * two vision paths take was a 413 there.
     */
    private static final List<String> MEDIA_PATHS = List.of("/api/ai/transcribe", "/api/ai/vision-chat",
            "/v1/audio/", "/v1/chat/completions", "/client/v4/");
    private static final List<String> MEDIA_TYPES = List.of("multipart/", "audio/", "image/", "video/",
            "application/octet-stream");

    private final long maxBody;
    private final long maxUpload;
    private final ObjectMapper mapper;

    public BodyLimit(@Value("${tollgate.max-body-bytes}") DataSize maxBody,
                     @Value("${tollgate.max-upload-bytes}") DataSize maxUpload, ObjectMapper mapper) {
        this.maxBody = maxBody.toBytes();
        this.maxUpload = Math.max(maxUpload.toBytes(), this.maxBody);
        this.mapper = mapper;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = limitFor(request);
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, limit);
            return;
        }
        // Multipart is parsed by the container from its own stream, within spring.servlet.multipart's limits
        // (set to the upload limit); everything else chunked is read here.
        if (declared < 0 && request.getHeader("Transfer-Encoding") != null && !isMultipart(request)) {
            byte[] body = readAtMost(request.getInputStream(), limit + 1);
            if (body.length > limit) {
                refuse(request, response, limit);
                return;
            }
            request = new ReadBody(request, body);
        }
        chain.doFilter(request, response);
    }

    long limitFor(HttpServletRequest request) {
        String path = request.getRequestURI();
        String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
        boolean media = MEDIA_PATHS.stream().anyMatch(path::startsWith) || MEDIA_TYPES.stream().anyMatch(type::startsWith);
        return media ? maxUpload : maxBody;
    }

    private static boolean isMultipart(HttpServletRequest request) {
        String type = request.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    private static byte[] readAtMost(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < max && (n = in.read(buffer, 0, (int) Math.min(buffer.length, max - out.size()))) != -1) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, long limit) throws IOException {
        String message = "The request body is larger than " + limit + " bytes.";
        log.info("refused a request body over {} bytes on {}", limit, request.getRequestURI());
        String path = request.getRequestURI();
        if (path.startsWith("/v1/")) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", message);
            error.put("type", "invalid_request_error");
            error.put("param", null);
            error.put("code", "payload_too_large");
            write(response, Map.of("error", error));
        } else if (path.startsWith("/client/")) {
            Map<String, Object> envelope = new LinkedHashMap<>();
            envelope.put("errors", List.of(Map.of("message", message, "code", 3006)));
            envelope.put("success", false);
            envelope.put("result", Map.of());
            envelope.put("messages", List.of());
            write(response, envelope);
        } else {
            write(response, ErrorBody.of("payload_too_large", message));
        }
    }

    private void write(HttpServletResponse response, Object body) throws IOException {
        response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        mapper.writeValue(response.getOutputStream(), body);
    }

    /** The request with its (already read, within the limit) body served from memory. */
    private static final class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body has been read already");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
            return new BufferedReader(new InputStreamReader(getInputStream(), charset));
        }
    }
}
