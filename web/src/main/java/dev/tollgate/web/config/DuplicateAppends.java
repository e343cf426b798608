package dev.tollgate.web.config;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;

/**
 * Tells Axon when an append lost a race for an account's next sequence number, so that it raises a
 * {@code ConcurrencyException} (which is retried on a fresh copy of the account) instead of a plain storage failure.
 *
 * <p>Axon's own JDBC resolver only recognises {@link SQLIntegrityConstraintViolationException}; H2 throws that, but
 * the PostgreSQL driver throws a {@code PSQLException} whose SQL state is {@code 23505} (unique_violation). On one
 * node the aggregate lock keeps two appends from racing; with several nodes on one PostgreSQL they do race, and the
 * loser must be retried, not answered with a 500.
 */
public class DuplicateAppends implements PersistenceExceptionResolver {
    private static final String UNIQUE_VIOLATION = "23505";

    @Override
    public boolean isDuplicateKeyViolation(Exception exception) {
        for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLIntegrityConstraintViolationException) {
                return true;
            }
            if (cause instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getNextException() != null
                    && UNIQUE_VIOLATION.equals(sql.getNextException().getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
