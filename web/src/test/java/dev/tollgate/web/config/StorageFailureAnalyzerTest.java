package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

class StorageFailureAnalyzerTest {
    private final StorageFailureAnalyzer analyzer = new StorageFailureAnalyzer();

    @Test
    void aDatabaseThatRefusesTheConnectionIsToldInItsOwnWordsWithoutTheTrace() {
        // given the failure Spring wraps around the driver's
        Throwable failure = new BeanCreationException("flywayInitializer", "Error creating bean",
                new IllegalStateException("Failed to obtain JDBC Connection",
                        new SQLException("FATAL: role \"nosuchrole\" does not exist\n  Location: File: miscinit.c")));

        // when it is analysed
        FailureAnalysis analysis = analyzer.analyze(failure);

        // then the description names the database's first line and the action names the settings
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).startsWith("Tollgate could not open its database")
                .endsWith(": FATAL: role \"nosuchrole\" does not exist");
        assertThat(analysis.getAction()).contains("DATABASE_URL", "DATABASE_USERNAME", "DATABASE_PASSWORD");
    }

    @Test
    void aFailureWithNothingOfTheDatabaseIsLeftToTheOtherAnalyzers() {
        assertThat(analyzer.analyze(new BeanCreationException("x", "y", new IllegalArgumentException("port")))).isNull();
    }

    @Test
    void aPasswordInTheUrlNeverReachesTheConsole() {
        assertThat(StorageFailureAnalyzer.withoutSecrets(
                "jdbc:postgresql://db:5432/tollgate?user=app&password=s3cret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/tollgate?user=app&password=…&ssl=true");
    }
}
