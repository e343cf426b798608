package dev.tollgate.web.config;

import dev.tollgate.web.http.RequestIds;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat answers some requests itself, before Spring sees them (a NUL byte in the path, a header past Tomcat's
 * size limit): with an HTML page by default. This writes the one error shape instead, with no server details.
 */
public class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "too_large";
            // Tomcat's answer to CONNECT: the method is the client's to change, nothing went wrong on our side.
            case 501 -> "not_implemented";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        String message = status == 501 ? "This server does not implement the request's method."
                : status >= 500 ? "Something went wrong on our side." : "The request could not be read.";
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write("{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message
                        + "\",\"request_id\":\"" + RequestIds.current() + "\"}}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException clientGone) {
            // Nothing more can be said to this client.
        }
    }
}
