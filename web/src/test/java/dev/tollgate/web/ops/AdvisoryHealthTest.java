package dev.tollgate.web.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

class AdvisoryHealthTest {
    @Test
    void readModelsWhosePositionsCannotBeReadAreUnknownAndTheHealthAnswerStillComes() {
        // given read models whose tokens cannot be read, the database being gone
        Projections projections = mock(Projections.class);
        when(projections.status()).thenThrow(new CannotGetJdbcConnectionException("Failed to obtain JDBC Connection"));

        // when health asks about them
        Health health = new AdvisoryHealth().projectionsHealthIndicator(projections, 1000).health();

        // then the component is UNKNOWN (the db component is the one that says DOWN), with no driver words
        assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
        assertThat(health.getDetails().toString()).doesNotContain("JDBC", "Exception");
    }
}
