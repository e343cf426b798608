package dev.tollgate.query.usage;

import dev.tollgate.api.money.Money;
import dev.tollgate.query.Positions;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Reads an account's metered calls: the log, totals by model, and totals by UTC day. */
@Component
public class UsageQueries {
    private final JdbcTemplate jdbc;

    public UsageQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public record Call(String requestId, Instant at, String model, long inputTokens, long outputTokens,
                       String tokenSource, Money cost, Long latencyMs, String status, String apiKeyId) {
    }

    public record Totals(long requests, long inputTokens, long outputTokens, Money cost) {
    }

    public record Day(LocalDate date, long requests, long inputTokens, long outputTokens, Money cost) {
    }

    /**
     * The highest event of the account this read model has recorded. Usage and history are recorded by one processor,
     * each batch in one transaction (ADR 51), so history's position is usage's as well: usage keeps none of its own.
     */
    public long recordedUpTo(String accountId) {
        return new Positions(jdbc, "history_position").recordedUpTo(accountId);
    }

    public List<Call> log(String accountId, int limit) {
        return jdbc.query("SELECT * FROM usage_call WHERE account_id = ? ORDER BY reserved_at DESC, hold_id LIMIT ?",
                (rs, i) -> new Call(rs.getString("request_id"), rs.getTimestamp("reserved_at").toInstant(),
                        rs.getString("model"), rs.getLong("input_tokens"), rs.getLong("output_tokens"),
                        rs.getString("token_source"), new Money(rs.getLong("cost_nanos")),
                        rs.getObject("latency_ms") == null ? null : rs.getLong("latency_ms"), rs.getString("status"),
                        rs.getString("api_key_id")),
                accountId, limit);
    }

    /** Settled calls since {@code since}, by model, in first-seen order of the model names. */
    public Map<String, Totals> byModel(String accountId, Instant since) {
        Map<String, Totals> totals = new LinkedHashMap<>();
        jdbc.query("SELECT model, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, "
                        + "SUM(output_tokens) AS output_tokens, SUM(cost_nanos) AS cost FROM usage_call "
                        + "WHERE account_id = ? AND status IN ('ok', 'partial') AND ended_at >= ? GROUP BY model ORDER BY model",
                rs -> {
                    totals.put(rs.getString("model"), new Totals(rs.getLong("requests"), rs.getLong("input_tokens"),
                            rs.getLong("output_tokens"), new Money(rs.getLong("cost"))));
                }, accountId, Timestamp.from(since));
        return totals;
    }

    /** Settled calls since {@code since}, by the API key that made them (calls made with a login token: none). */
    public Map<String, Totals> byApiKey(String accountId, Instant since) {
        Map<String, Totals> totals = new LinkedHashMap<>();
        jdbc.query("SELECT api_key_id, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, "
                        + "SUM(output_tokens) AS output_tokens, SUM(cost_nanos) AS cost FROM usage_call "
                        + "WHERE account_id = ? AND status IN ('ok', 'partial') AND ended_at >= ? AND api_key_id IS NOT NULL "
                        + "GROUP BY api_key_id ORDER BY api_key_id",
                rs -> {
                    totals.put(rs.getString("api_key_id"), new Totals(rs.getLong("requests"),
                            rs.getLong("input_tokens"), rs.getLong("output_tokens"), new Money(rs.getLong("cost"))));
                }, accountId, Timestamp.from(since));
        return totals;
    }

    public List<Day> daily(String accountId, LocalDate from) {
        return jdbc.query("SELECT call_day, COUNT(*) AS requests, SUM(input_tokens) AS input_tokens, "
                        + "SUM(output_tokens) AS output_tokens, SUM(cost_nanos) AS cost FROM usage_call "
                        + "WHERE account_id = ? AND status IN ('ok', 'partial') AND call_day >= ? GROUP BY call_day ORDER BY call_day",
                (rs, i) -> new Day(rs.getDate("call_day").toLocalDate(), rs.getLong("requests"), rs.getLong("input_tokens"),
                        rs.getLong("output_tokens"), new Money(rs.getLong("cost"))),
                accountId, java.sql.Date.valueOf(from));
    }
}
