package dev.tollgate.web.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The two storage modes the suite runs on. PostgreSQL is the machine's server (127.0.0.1:5432, or
 * TOLLGATE_TEST_PG_URL); each use gets a fresh database of its own. When PostgreSQL is not reachable the test
 * fails: it never skips, so CI cannot pass without it.
 */
public final class Storage {
    private Storage() {
    }

    public static Map<String, String> embedded(Path dataDir) {
        return Map.of("tollgate.data-dir", dataDir.toString(),
                "spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("tollgate") + ";DB_CLOSE_ON_EXIT=FALSE",
                "spring.datasource.username", "", "spring.datasource.password", "");
    }

    public static Map<String, String> postgres(String database, Path dataDir) {
        return Map.of("tollgate.data-dir", dataDir.toString(),
                "spring.datasource.url", serverUrl() + database,
                "spring.datasource.username", user(), "spring.datasource.password", password());
    }

    /** Creates an empty database and returns its name. */
    public static String newPostgresDatabase() {
        String name = "tollgate_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(serverUrl() + "postgres", user(), password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is needed for this test and is not reachable at "
                    + serverUrl() + " (start it: pg_ctlcluster --skip-systemctl-redirect 15 main start)", e);
        }
        return name;
    }

    public static void dropPostgresDatabase(String name) {
        try (Connection c = DriverManager.getConnection(serverUrl() + "postgres", user(), password());
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            // A leftover test database is harmless; .ci/run removes old ones.
        }
    }

    public static Path tempDir() {
        try {
            return Files.createTempDirectory("tollgate-e2e");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String serverUrl() {
        return System.getenv().getOrDefault("TOLLGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
    }

    private static String user() {
        return System.getenv().getOrDefault("TOLLGATE_TEST_PG_USER", "postgres");
    }

    private static String password() {
        return System.getenv().getOrDefault("TOLLGATE_TEST_PG_PASSWORD", "");
    }
}
