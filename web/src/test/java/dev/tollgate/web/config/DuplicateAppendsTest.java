package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import org.junit.jupiter.api.Test;

class DuplicateAppendsTest {
    private final DuplicateAppends resolver = new DuplicateAppends();

    @Test
    void postgres_unique_violation_inside_a_batch_failure_is_a_lost_append_race() {
        // given the shape the PostgreSQL driver reports: a batch failure whose next exception says 23505
        BatchUpdateException batch = new BatchUpdateException("Batch entry 0 INSERT ... was aborted", "23505", 0,
                new int[0]);
        batch.setNextException(new SQLException("duplicate key value violates unique constraint", "23505"));

        // then
        assertThat(resolver.isDuplicateKeyViolation(new RuntimeException("append failed", batch))).isTrue();
    }

    @Test
    void a_next_exception_alone_carrying_the_unique_violation_is_recognised() {
        SQLException outer = new SQLException("batch aborted", "08000");
        outer.setNextException(new SQLException("duplicate key", "23505"));
        assertThat(resolver.isDuplicateKeyViolation(outer)).isTrue();
    }

    @Test
    void h2_integrity_violation_is_a_lost_append_race() {
        assertThat(resolver.isDuplicateKeyViolation(
                new RuntimeException(new SQLIntegrityConstraintViolationException("dup", "23505")))).isTrue();
    }

    @Test
    void other_storage_failures_are_not_conflicts() {
        assertThat(resolver.isDuplicateKeyViolation(new RuntimeException(new SQLException("connection lost", "08006"))))
                .isFalse();
        assertThat(resolver.isDuplicateKeyViolation(new IllegalStateException("no cause"))).isFalse();
    }
}
