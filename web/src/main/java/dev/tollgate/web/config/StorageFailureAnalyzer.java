package dev.tollgate.web.config;

import java.sql.SQLException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * A database that cannot be opened at start (wrong URL, host, role, database, password, driver, or an embedded file
 * that cannot be written) is told in Spring Boot's short "application failed to start" report: where Tollgate
 * looked and the database's own words, instead of a long trace that ends in them.
 */
public class StorageFailureAnalyzer implements FailureAnalyzer {
    @Override
    public FailureAnalysis analyze(Throwable failure) {
        Throwable storage = null;
        for (Throwable t = failure; t != null && t != t.getCause(); t = t.getCause()) {
            if (isStorage(t)) {
                storage = t;
            }
        }
        if (storage == null) {
            return null;
        }
        Throwable deepest = storage;
        while (deepest.getCause() != null && deepest.getCause() != deepest) {
            deepest = deepest.getCause();
        }
        String url = System.getenv("DATABASE_URL");
        String where = url == null || url.isBlank()
                ? "the embedded database in TOLLGATE_DATA_DIR (" + System.getenv().getOrDefault("TOLLGATE_DATA_DIR", "./data") + ")"
                : "DATABASE_URL=" + withoutSecrets(url);
        return new FailureAnalysis("Tollgate could not open its database, " + where + ": " + message(deepest),
                "Check DATABASE_URL (jdbc:postgresql://host:5432/database), DATABASE_USERNAME and DATABASE_PASSWORD, "
                        + "and that the server is up; or unset DATABASE_URL to run on the embedded default.", failure);
    }

    private static boolean isStorage(Throwable t) {
        String type = t.getClass().getName();
        String message = String.valueOf(t.getMessage());
        return t instanceof SQLException
                || type.startsWith("org.h2.mvstore.")
                || type.startsWith("com.zaxxer.hikari.")
                || type.startsWith("org.flywaydb.")
                || message.contains("Failed to load driver class")
                || message.contains("must start with \"jdbc\"")
                || message.contains("jdbcUrl is required");
    }

    private static String message(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().strip();
        int firstLine = message.indexOf('\n');
        return firstLine < 0 ? message : message.substring(0, firstLine);
    }

    /** A password may ride in the URL's parameters; it never reaches the console. */
    static String withoutSecrets(String url) {
        return url.replaceAll("(?i)(password|passwd|pwd)=[^&;]*", "$1=…");
    }
}
