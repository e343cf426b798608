package dev.tollgate.web.http;

import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.Recommendations;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.query.usage.UsageQueries;
import dev.tollgate.web.identity.ApiKeys;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.ledger.CatchUp;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** An account's metered calls: stats by model, the call log, daily totals; each also as CSV. */
@RestController
public class UsageController {
    private final UsageQueries usage;
    private final Ledger ledger;
    private final Clock clock;

    private final PriceBook prices;
    private final TeamAccess access;
    private final ApiKeys apiKeys;
    private final Teams teams;

    public UsageController(UsageQueries usage, Ledger ledger, Clock clock, PriceBook prices, TeamAccess access,
                           ApiKeys apiKeys, Teams teams) {
        this.access = access;
        this.apiKeys = apiKeys;
        this.teams = teams;
        this.usage = usage;
        this.ledger = ledger;
        this.clock = clock;
        this.prices = prices;
    }

    public record RecommendationView(String model, String costUsd, String alternative, String alternativeCostUsd,
                                     String savingUsd) {
    }

    /**
     * For each text model the caller used in the last {@code days}, the model of the same task that would have cost
     * least for the same tokens at today's prices, when that is less than what was paid (ADR 29).
     */
    @GetMapping({"/api/usage/recommendations", "/api/teams/{teamId}/usage/recommendations"})
    public List<RecommendationView> recommendations(@AuthenticationPrincipal Caller caller,
                                   @PathVariable(required = false) String teamId,
                                                    @RequestParam(defaultValue = "30") int days) {
        checkDays(days);
        String account = awaitOwnCalls(access.readable(caller, teamId));
        List<Recommendations.ModelUsage> used = usage.byModel(account, clock.instant().minus(days, ChronoUnit.DAYS))
                .entrySet().stream().map(e -> new Recommendations.ModelUsage(e.getKey(), e.getValue().inputTokens(),
                        e.getValue().outputTokens(), e.getValue().cost())).toList();
        return Recommendations.of(used, prices).stream().map(r -> new RecommendationView(r.model(),
                r.cost().toUsdString(), r.alternative(), r.alternativeCost().toUsdString(), r.saving().toUsdString()))
                .toList();
    }

    public record ModelTotals(long requests, long inputTokens, long outputTokens, String costUsd) {
    }

    public record Stats(long totalRequests, long totalInputTokens, long totalOutputTokens, String totalCostUsd,
                        Map<String, ModelTotals> byModel) {
    }

    public record LogItem(String requestId, Instant at, String model, long inputTokens, long outputTokens,
                          String tokenSource, String costUsd, Long latencyMs, String status, String apiKeyId) {
    }

    public record MemberTotals(String email, long requests, long inputTokens, long outputTokens, String costUsd) {
    }

    /** A team's stats: a user's, plus what each member's team keys spent (by user id; ADR 32). */
    public record TeamStats(long totalRequests, long totalInputTokens, long totalOutputTokens, String totalCostUsd,
                            Map<String, ModelTotals> byModel, Map<String, MemberTotals> byMember) {
    }

    public record Log(List<LogItem> items) {
    }

    public record DayView(String date, long requests, long inputTokens, long outputTokens, String costUsd) {
    }

    @GetMapping({"/api/usage/stats", "/api/teams/{teamId}/usage/stats"})
    public ResponseEntity<?> stats(@AuthenticationPrincipal Caller caller,
                                   @PathVariable(required = false) String teamId, @RequestParam(defaultValue = "30") int days,
                                   @RequestParam(required = false) String format,
                                   @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        checkDays(days);
        boolean csv = Csv.wanted(format, accept);
        String account = awaitOwnCalls(access.readable(caller, teamId));
        Instant since = clock.instant().minus(days, ChronoUnit.DAYS);
        Map<String, UsageQueries.Totals> byModel = usage.byModel(account, since);
        Map<String, ModelTotals> models = new LinkedHashMap<>();
        long requests = 0;
        long in = 0;
        long out = 0;
        dev.tollgate.api.money.Money cost = dev.tollgate.api.money.Money.ZERO;
        for (var e : byModel.entrySet()) {
            UsageQueries.Totals t = e.getValue();
            models.put(e.getKey(), new ModelTotals(t.requests(), t.inputTokens(), t.outputTokens(), t.cost().toUsdString()));
            requests += t.requests();
            in += t.inputTokens();
            out += t.outputTokens();
            cost = cost.plus(t.cost());
        }
        if (csv) {
            StringBuilder table = new StringBuilder(Csv.row("model", "requests", "input_tokens", "output_tokens", "cost_usd"));
            models.forEach((model, t) -> table.append(Csv.row(model, t.requests(), t.inputTokens(), t.outputTokens(),
                    t.costUsd())));
            return Csv.answer(table, "usage-stats.csv");
        }
        if (teamId != null) {
            return ResponseEntity.ok(new TeamStats(requests, in, out, cost.toUsdString(), models,
                    byMember(teamId, usage.byApiKey(account, since))));
        }
        return ResponseEntity.ok(new Stats(requests, in, out, cost.toUsdString(), models));
    }

    @GetMapping({"/api/usage/logs", "/api/teams/{teamId}/usage/logs"})
    public ResponseEntity<?> logs(@AuthenticationPrincipal Caller caller,
                                   @PathVariable(required = false) String teamId, @RequestParam(defaultValue = "50") int limit,
                                  @RequestParam(required = false) String format,
                                  @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        if (limit < 1 || limit > 1000) {
            throw ApiException.badRequest("limit must be between 1 and 1000");
        }
        boolean csv = Csv.wanted(format, accept);
        String account = awaitOwnCalls(access.readable(caller, teamId));
        List<LogItem> items = usage.log(account, limit).stream().map(c -> new LogItem(c.requestId(), c.at(), c.model(),
                c.inputTokens(), c.outputTokens(), c.tokenSource(), c.cost().toUsdString(), c.latencyMs(), c.status(),
                c.apiKeyId()))
                .toList();
        if (csv) {
            StringBuilder table = new StringBuilder(Csv.row("request_id", "at", "model", "input_tokens",
                    "output_tokens", "token_source", "cost_usd", "latency_ms", "status"));
            items.forEach(i -> table.append(Csv.row(i.requestId(), i.at(), i.model(), i.inputTokens(), i.outputTokens(),
                    i.tokenSource(), i.costUsd(), i.latencyMs(), i.status())));
            return Csv.answer(table, "usage-logs.csv");
        }
        return ResponseEntity.ok(new Log(items));
    }

    @GetMapping({"/api/usage/daily", "/api/teams/{teamId}/usage/daily"})
    public ResponseEntity<?> daily(@AuthenticationPrincipal Caller caller,
                                   @PathVariable(required = false) String teamId, @RequestParam(defaultValue = "30") int days,
                                   @RequestParam(required = false) String format,
                                   @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
        checkDays(days);
        boolean csv = Csv.wanted(format, accept);
        String account = awaitOwnCalls(access.readable(caller, teamId));
        LocalDate from = clock.instant().atZone(ZoneOffset.UTC).toLocalDate().minusDays(days - 1L);
        List<DayView> rows = usage.daily(account, from).stream().map(d -> new DayView(d.date().toString(), d.requests(),
                d.inputTokens(), d.outputTokens(), d.cost().toUsdString())).toList();
        if (csv) {
            StringBuilder table = new StringBuilder(Csv.row("date", "requests", "input_tokens", "output_tokens", "cost_usd"));
            rows.forEach(d -> table.append(Csv.row(d.date(), d.requests(), d.inputTokens(), d.outputTokens(), d.costUsd())));
            return Csv.answer(table, "usage-daily.csv");
        }
        return ResponseEntity.ok(rows);
    }

    /** Each member's team keys' totals, summed per member, in the order members joined. */
    private Map<String, MemberTotals> byMember(String teamId, Map<String, UsageQueries.Totals> byKey) {
        Map<String, String> holderOfKey = new HashMap<>();
        apiKeys.ofTeam(teamId).forEach(key -> holderOfKey.put(key.id(), key.userId()));
        Map<String, String> emails = new LinkedHashMap<>();
        teams.members(teamId).forEach(member -> emails.put(member.userId(), member.email()));
        Map<String, UsageQueries.Totals> sums = new LinkedHashMap<>();
        byKey.forEach((keyId, totals) -> sums.merge(holderOfKey.getOrDefault(keyId, "unknown"), totals,
                (a, b) -> new UsageQueries.Totals(a.requests() + b.requests(), a.inputTokens() + b.inputTokens(),
                        a.outputTokens() + b.outputTokens(), a.cost().plus(b.cost()))));
        Map<String, MemberTotals> members = new LinkedHashMap<>();
        sums.forEach((userId, t) -> members.put(userId, new MemberTotals(emails.get(userId), t.requests(),
                t.inputTokens(), t.outputTokens(), t.cost().toUsdString())));
        return members;
    }

    private static void checkDays(int days) {
        if (days < 1 || days > 3660) {
            throw ApiException.badRequest("days must be between 1 and 3660");
        }
    }

    /** The usage read model may trail the ledger; wait briefly until it has recorded this account's last event. */
    private String awaitOwnCalls(AccountId accountId) {
        String account = accountId.value();
        AccountState state = ledger.state(accountId);
        CatchUp.await(() -> usage.recordedUpTo(account) >= state.version(), 2_000);
        return account;
    }
}
