package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

/** Keys looked up with one array parameter, however many a batch holds (a rebuild's batch holds thousands). */
class BatchedWritesTest {
    private final JdbcTemplate jdbc = new JdbcTemplate(new SimpleDriverDataSource(new org.h2.Driver(),
            "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"));

    @Test
    void existingFindsExactlyTheStoredKeysAmongThousands() {
        // given 1,200 accounts stored
        jdbc.execute("CREATE TABLE position (account_id VARCHAR(64) NOT NULL PRIMARY KEY, seq BIGINT NOT NULL)");
        List<Object[]> rows = IntStream.range(0, 1_200).mapToObj(i -> new Object[] {"acc_" + i, (long) i}).toList();
        jdbc.batchUpdate("INSERT INTO position (account_id, seq) VALUES (?, ?)", rows);
        // when asked about 1,500, the last 300 of them never stored
        List<String> asked = IntStream.range(600, 2_100).mapToObj(i -> "acc_" + i).toList();
        Set<String> found = BatchedWrites.existing(jdbc, "position", "account_id", asked);
        // then exactly the stored ones among them are found
        assertThat(found).isEqualTo(IntStream.range(600, 1_200).mapToObj(i -> "acc_" + i).collect(Collectors.toSet()));
    }

    @Test
    void forKeysReadsEachRowOfTheGivenKeysOnce() {
        jdbc.execute("CREATE TABLE position (account_id VARCHAR(64) NOT NULL PRIMARY KEY, seq BIGINT NOT NULL)");
        jdbc.update("INSERT INTO position (account_id, seq) VALUES ('a', 1), ('b', 2), ('c', 3)");
        Map<String, Long> seen = new HashMap<>();
        List<String> order = new ArrayList<>();

        BatchedWrites.forKeys(jdbc, "SELECT account_id, seq FROM position WHERE account_id = ANY(?)",
                List.of("c", "a", "zz", "a"), rs -> {
                    seen.put(rs.getString(1), rs.getLong(2));
                    order.add(rs.getString(1));
                });

        assertThat(seen).isEqualTo(Map.of("a", 1L, "c", 3L));
        assertThat(order).hasSize(2);
    }

    @Test
    void noKeysSendNoQuery() {
        // no table at all: a query would fail
        BatchedWrites.forKeys(jdbc, "SELECT account_id FROM missing WHERE account_id = ANY(?)", List.of(),
                rs -> {
                    throw new AssertionError("no row expected");
                });
        assertThat(BatchedWrites.existing(jdbc, "missing", "account_id", List.of())).isEmpty();
    }
}
