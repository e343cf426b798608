package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetStatus;
import dev.tollgate.api.budget.ChangeBudget;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * An account's budget (ADR 27): the owner's at {@code /api/credits/budget}, any account's for admins at
 * {@code /api/admin/accounts/{id}/budget}. Both answer from the account aggregate, which enforces the budget, so
 * what a client reads is what the next call is checked against.
 * <p>
 * A PUT changes the fields it names and keeps the others; {@code null} removes a limit.
 */
@RestController
public class BudgetController {
    private static final int MAX_THRESHOLDS = 10;

    private final Ledger ledger;
    private final AccountRefs accounts;
    private final TeamAccess access;

    public BudgetController(Ledger ledger, AccountRefs accounts, TeamAccess access) {
        this.ledger = ledger;
        this.accounts = accounts;
        this.access = access;
    }

    public record BudgetView(String accountId, String dailyLimitUsd, String monthlyLimitUsd,
                             List<Integer> thresholdsPercent, boolean hardStop, String spentTodayUsd,
                             String spentThisMonthUsd, String heldUsd, List<Integer> dailyThresholdsCrossed,
                             List<Integer> monthlyThresholdsCrossed) {
        static BudgetView of(AccountId account, BudgetStatus status) {
            Budget budget = status.budget();
            return new BudgetView(account.value(), Amounts.usdOrNull(budget.dailyLimit()), Amounts.usdOrNull(budget.monthlyLimit()),
                    budget.thresholdsPercent(), budget.hardStop(), status.spentToday().toUsdString(),
                    status.spentThisMonth().toUsdString(), status.held().toUsdString(),
                    status.dailyThresholdsCrossed(), status.monthlyThresholdsCrossed());
        }
    }

    /** The caller's own budget, or a team's (its members read it; ADR 32). */
    @GetMapping({"/api/credits/budget", "/api/teams/{teamId}/budget"})
    public BudgetView mine(@AuthenticationPrincipal Caller caller, @PathVariable(required = false) String teamId) {
        AccountId account = access.readable(caller, teamId);
        return BudgetView.of(account, ledger.budget(account));
    }

    @PutMapping("/api/credits/budget")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Budget.class)))
    public BudgetView setMine(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body) {
        return set(AccountId.of(caller.userId()), body, caller.userId());
    }

    /** A team's owners set its budget; a hard stop then refuses every member's call that could pass it. */
    @PutMapping("/api/teams/{teamId}/budget")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Budget.class)))
    public BudgetView setTeams(@AuthenticationPrincipal Caller caller, @PathVariable String teamId,
                               @RequestBody JsonNode body) {
        Teams.Team team = access.team(teamId);
        access.owner(caller, team);
        return set(team.account(), body, caller.userId());
    }

    @GetMapping("/api/admin/accounts/{userId}/budget")
    public BudgetView ofAccount(@PathVariable String userId) {
        AccountId account = existing(userId);
        return BudgetView.of(account, ledger.budget(account));
    }

    @PutMapping("/api/admin/accounts/{userId}/budget")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Budget.class)))
    public BudgetView setForAccount(@AuthenticationPrincipal Caller caller, @PathVariable String userId,
                                    @RequestBody JsonNode body) {
        return set(existing(userId), body, "admin:" + caller.userId());
    }

    private AccountId existing(String ref) {
        return accounts.existing(ref, "user_not_found");
    }

    /**
     * Reads the whole body before anything is sent, so a bad field changes nothing; the account merges the named
     * parts into its current budget, so concurrent changes of different parts all take effect.
     */
    private BudgetView set(AccountId account, JsonNode body, String actor) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("The budget must be a JSON object.");
        }
        ChangeBudget change = new ChangeBudget(account,
                body.has("daily_limit_usd"), Amounts.nullableUsd(body, "daily_limit_usd"),
                body.has("monthly_limit_usd"), Amounts.nullableUsd(body, "monthly_limit_usd"),
                thresholds(body), hardStop(body), actor, ledger.now());
        return BudgetView.of(account, ledger.changeBudget(change));
    }

    /** {@code null} when absent (keep); an empty list when {@code null} (no alerts). */
    private static List<Integer> thresholds(JsonNode body) {
        if (!body.has("thresholds_percent")) {
            return null;
        }
        JsonNode node = body.get("thresholds_percent");
        if (node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > MAX_THRESHOLDS) {
            throw ApiException.badRequest("thresholds_percent must be a list of at most " + MAX_THRESHOLDS
                    + " whole percentages from 1 to 100");
        }
        List<Integer> percents = new ArrayList<>();
        for (JsonNode percent : node) {
            if (!percent.isIntegralNumber() || !percent.canConvertToInt()) {
                throw ApiException.badRequest("thresholds_percent must hold whole percentages from 1 to 100");
            }
            percents.add(percent.intValue());
        }
        return percents;
    }

    private static Boolean hardStop(JsonNode body) {
        if (!body.has("hard_stop")) {
            return null;
        }
        JsonNode node = body.get("hard_stop");
        if (!node.isBoolean()) {
            throw ApiException.badRequest("hard_stop must be true or false");
        }
        return node.booleanValue();
    }

}
