package dev.tollgate.web.http;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Recognises a failure that means "the database is not reachable" (down, restarting, connections cut), as opposed to
 * a bug: the first is a 503 the client may retry, the second a 500 someone must look at.
 */
public final class StorageOutage {
    static final int RETRY_AFTER_SECONDS = 2;

    private StorageOutage() {
    }

    public static boolean causedBy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof CannotCreateTransactionException || t instanceof DataAccessResourceFailureException
                    || t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof ConnectException) {
                return true;
            }
            if (t instanceof SQLException sql && "Connection is closed".equals(sql.getMessage())) {
                return true; // the pool's own word for a connection the outage closed under us
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    // 08xxx: connection exceptions; 57P0x: the server is shutting down or restarting.
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    static ResponseEntity<Map<String, Object>> answer() {
        return ErrorBody.answer(HttpStatus.SERVICE_UNAVAILABLE)
                .header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS))
                .body(ErrorBody.of("storage_unavailable", "The ledger's database cannot be reached right now. "
                        + "Retry shortly, with the same Idempotency-Key, so that a request which did land is not "
                        + "applied twice."));
    }

    /** The same answer, written straight to a response that no controller will write. */
    static void write(jakarta.servlet.http.HttpServletResponse response,
                      com.fasterxml.jackson.databind.ObjectMapper mapper) throws java.io.IOException {
        ResponseEntity<Map<String, Object>> answer = answer();
        response.setStatus(answer.getStatusCode().value());
        answer.getHeaders().forEach((name, values) -> values.forEach(v -> response.addHeader(name, v)));
        response.setContentType("application/json");
        mapper.writeValue(response.getOutputStream(), answer.getBody());
    }

    /** What to log: the kind of failure, without a stack trace per refused request during an outage. */
    static String summary(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return failure.getClass().getSimpleName() + " <- " + root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
