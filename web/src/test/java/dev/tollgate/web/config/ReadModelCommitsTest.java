package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.axonframework.common.transaction.Transaction;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;

class ReadModelCommitsTest {
    @TempDir
    Path folder;

    private HikariDataSource pool;
    private DataSource durable;
    private JdbcTemplate jdbc;
    private TransactionManager transactions;
    private MVStore store;

    @BeforeEach
    void embeddedStoreWithDurableCommits() {
        pool = new HikariDataSource();
        // H2's own writer would write the store within a minute: a store version then means a write that a commit led
        pool.setJdbcUrl("jdbc:h2:file:" + folder.resolve("tollgate") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=60000");
        pool.setMaximumPoolSize(2);
        durable = new DurableCommits().postProcessAfterInitialization(pool, "dataSource") instanceof DataSource d
                ? d : null;
        jdbc = new JdbcTemplate(durable);
        jdbc.execute("CREATE TABLE balance_view (account VARCHAR(40) PRIMARY KEY, balance BIGINT)");
        transactions = new SpringTransactionManager(new JdbcTransactionManager(durable));
        store = EmbeddedStoreHousekeeping.storeOf(durable);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aReadModelsCommitLeadsNoWriteOfTheStoreAndPausesBeforeTheNextBatch() throws Exception {
        // given the read models' transactions on the embedded default
        TransactionManager readModels = new ReadModelCommits(transactions, 50);
        long versionBefore = store.getCurrentVersion();

        // when a batch records a row and commits
        long started = System.nanoTime();
        Transaction batch = readModels.startTransaction();
        jdbc.update("INSERT INTO balance_view VALUES ('alice', 100)");
        batch.commit();
        long tookMillis = (System.nanoTime() - started) / 1_000_000;

        // then the row is committed (another connection sees it), no write of the store was made for it, and the
        // commit returned only after the pause
        assertThat(countOnAnotherConnection()).isEqualTo(1);
        assertThat(store.getCurrentVersion()).isEqualTo(versionBefore);
        assertThat(tookMillis).isGreaterThanOrEqualTo(50);
    }

    @Test
    void anyOtherCommitOnTheSamePoolStillWaitsForAWrite() {
        // the control: the same commit through the plain transactions writes the store before it returns
        long versionBefore = store.getCurrentVersion();

        Transaction other = transactions.startTransaction();
        jdbc.update("INSERT INTO balance_view VALUES ('bob', 100)");
        other.commit();

        assertThat(store.getCurrentVersion()).isGreaterThan(versionBefore);
    }

    @Test
    void aRolledBackBatchLeavesNothing() throws Exception {
        // given a batch that recorded a row
        Transaction batch = new ReadModelCommits(transactions, 0).startTransaction();
        jdbc.update("INSERT INTO balance_view VALUES ('carol', 100)");

        // when it is rolled back
        batch.rollback();

        // then nothing of it is left
        assertThat(countOnAnotherConnection()).isZero();
    }

    private int countOnAnotherConnection() throws SQLException {
        try (Connection connection = pool.getConnection();
             var result = connection.createStatement().executeQuery("SELECT COUNT(*) FROM balance_view")) {
            result.next();
            return result.getInt(1);
        }
    }
}
