package dev.tollgate.web.http;

import dev.tollgate.web.ai.IdempotentCalls;
import dev.tollgate.web.ledger.Fingerprint;
import java.util.function.Supplier;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.query.audit.AccountEvents;
import dev.tollgate.query.audit.StoredEvent;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.PathVariable;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.money.Money;
import dev.tollgate.query.balance.BalanceQueries;
import dev.tollgate.query.balance.BalanceRow;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.identity.User;
import dev.tollgate.web.identity.UserDirectory;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.ledger.LedgerCheck;
import dev.tollgate.web.ops.Projections;
import org.springframework.http.HttpStatus;
import dev.tollgate.web.security.Caller;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/admin")
public class AdminController {
    private final Ledger ledger;
    private final UserDirectory users;
    private final BalanceQueries balances;

    private final AccountEvents accountEvents;
    private final LedgerCheck ledgerCheck;
    private final Projections projections;
    private final ObjectMapper eventMapper;

    private final AccountRefs accounts;
    private final Teams teams;
    private final IdempotentCalls idempotent;

    public AdminController(Ledger ledger, UserDirectory users, BalanceQueries balances, AccountEvents accountEvents,
                           @Qualifier("defaultAxonObjectMapper") ObjectMapper eventMapper, LedgerCheck ledgerCheck,
                           Projections projections, AccountRefs accounts, Teams teams, IdempotentCalls idempotent) {
        this.idempotent = idempotent;
        this.accounts = accounts;
        this.teams = teams;
        this.projections = projections;
        this.ledgerCheck = ledgerCheck;
        this.ledger = ledger;
        this.users = users;
        this.balances = balances;
        this.accountEvents = accountEvents;
        this.eventMapper = eventMapper;
    }

    public record AdminUserView(String id, String email, String username, String role, boolean disabled,
                                Instant createdAt, String balanceUsd, String heldUsd) {
    }

    public record MoneyMovedView(String transactionId, String balanceUsd) {
        static MoneyMovedView of(LedgerReceipt receipt) {
            return new MoneyMovedView(receipt.entryId(), receipt.balanceAfter().toUsdString());
        }
    }

    public record AdminTeamView(String id, String name, String accountId, int members, Instant createdAt,
                                String balanceUsd, String heldUsd) {
    }

    /** Teams with balances from the balance read model (ADR 32; it may trail the ledger as for users). */
    @GetMapping("/teams")
    public List<AdminTeamView> teams() {
        Map<String, BalanceRow> byAccount = balances.all().stream()
                .collect(Collectors.toMap(BalanceRow::accountId, Function.identity()));
        return teams.all().stream().map(counted -> {
            Teams.Team team = counted.team();
            BalanceRow row = byAccount.get(team.account().value());
            return new AdminTeamView(team.id(), team.name(), team.account().value(), counted.members(),
                    team.createdAt(), (row == null ? Money.ZERO : row.balance()).toUsdString(),
                    (row == null ? Money.ZERO : row.held()).toUsdString());
        }).toList();
    }

    /** Users with balances from the balance read model (it may trail the ledger by the projection's lag). */
    @GetMapping("/users")
    public List<AdminUserView> users() {
        Map<String, BalanceRow> byAccount = balances.all().stream()
                .collect(Collectors.toMap(BalanceRow::accountId, Function.identity()));
        return users.all().stream().map(user -> {
            BalanceRow row = byAccount.get(user.id());
            Money balance = row == null ? Money.ZERO : row.balance();
            Money held = row == null ? Money.ZERO : row.held();
            return new AdminUserView(user.id(), user.email(), user.username(), user.role().wireName(),
                    user.disabled(), user.createdAt(), balance.toUsdString(), held.toUsdString());
        }).toList();
    }

    @PostMapping("/credits/deposit")
    @ApiResponse(responseCode = "200", description = "OK",
            content = @Content(schema = @Schema(implementation = MoneyMovedView.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.MoneyMovement.class)))
    public Object deposit(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                          @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        Target target = target(body);
        return byThisAdminOnce(caller, key, "deposit", target, () -> MoneyMovedView.of(ledger.deposit(
                target.account(), target.amount(), target.note(), caller.userId(), Amounts.idempotencyKey(key))));
    }

    @PostMapping("/credits/deduct")
    @ApiResponse(responseCode = "200", description = "OK",
            content = @Content(schema = @Schema(implementation = MoneyMovedView.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.MoneyMovement.class)))
    public Object deduct(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                         @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        Target target = target(body);
        return byThisAdminOnce(caller, key, "deduct", target, () -> MoneyMovedView.of(ledger.deduct(
                target.account(), target.amount(), target.note(), caller.userId(), Amounts.idempotencyKey(key))));
    }

    /**
     * An admin's key names one operation, whichever account it was for: the account remembers the key too, but only
     * for itself, so the same key sent for another account would move money a second time. Here a retry gets the
     * first answer and the key reused for another account, amount or kind of movement is a conflict.
     */
    private Object byThisAdminOnce(Caller caller, String key, String kind, Target target,
                                   Supplier<MoneyMovedView> move) {
        if (key == null) {
            return move.get();
        }
        return idempotent.once("admin:" + caller.userId(), Amounts.idempotencyKey(key),
                Fingerprint.of("admin-" + kind, target.account().value(), target.amount().nanos(), target.note()),
                move::get);
    }

    public record EventView(long sequence, String type, String at, String id, String revision, JsonNode payload,
                            JsonNode metadata) {
    }

    /**
     * A disabled user's tokens and keys are refused at once (every request looks the user up). The user is named by
     * id or email, as on every other admin path that names one.
     */
    @PostMapping("/users/{userId}/disable")
    public AdminUserView disable(@AuthenticationPrincipal Caller caller, @PathVariable String userId) {
        User user = user(userId);
        if (user.id().equals(caller.userId())) {
            throw ApiException.badRequest("An admin cannot disable themselves.");
        }
        return setDisabled(user, true);
    }

    @PostMapping("/users/{userId}/enable")
    public AdminUserView enable(@PathVariable String userId) {
        return setDisabled(user(userId), false);
    }

    private User user(String ref) {
        return (ref.contains("@") ? users.byEmail(ref) : users.byId(ref))
                .orElseThrow(() -> ApiException.notFound("user_not_found", "No user with this email or id."));
    }

    private AdminUserView setDisabled(User user, boolean disabled) {
        users.setDisabled(user.id(), disabled);
        BalanceRow row = balances.find(user.id()).orElse(null);
        return new AdminUserView(user.id(), user.email(), user.username(), user.role().wireName(), disabled,
                user.createdAt(), row == null ? "0" : row.balance().toUsdString(),
                row == null ? "0" : row.held().toUsdString());
    }

    @GetMapping("/projections")
    public List<Projections.Status> projections() {
        return projections.status();
    }

    public record ReplayView(String name, String status) {
    }

    /**
     * Accepted, not done: the request is recorded, and the node holding the read model's token (this one or another,
     * within a second) rebuilds it in the background (ADR 46); GET /projections shows "replaying" until it has
     * caught up, on every node.
     */
    @PostMapping("/projections/{name}/replay")
    @ResponseStatus(HttpStatus.ACCEPTED)
    public ReplayView replay(@PathVariable String name) {
        if (!projections.exists(name)) {
            throw ApiException.notFound("projection_not_found", "No such projection.");
        }
        if (!Projections.REPLAYABLE.contains(name)) {
            throw ApiException.conflict("not_replayable", "This processor moves money and is never replayed.");
        }
        projections.replay(name);
        return new ReplayView(name, "replay_started");
    }

    @GetMapping("/ledger/check")
    public LedgerCheck.Report check() {
        return ledgerCheck.run();
    }

    /**
     * The history of an account, oldest first, every event as the event store holds it (its stored revision, not
     * upcast), written in the API's JSON conventions (ADR 38). The account is named as elsewhere: a user's email or
     * id, or {@code team:{id}}; any other name is taken as an account id (the system accounts).
     */
    @GetMapping("/accounts/{userId}/events")
    public List<EventView> events(@PathVariable String userId) {
        Optional<AccountId> named = accounts.resolve(userId);
        List<StoredEvent> stored = accountEvents.of(named.map(AccountId::value).orElse(userId));
        if (stored.isEmpty() && named.isEmpty()) {
            throw ApiException.notFound("account_not_found", "No such account.");
        }
        return stored.stream().map(e -> new EventView(e.sequence(), simpleName(e.payloadType()), e.timestamp(),
                e.eventId(), e.revision(), json(e.payload()), json(e.metadata()))).toList();
    }

    private JsonNode json(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return EventJson.render(eventMapper.readTree(bytes), eventMapper.getNodeFactory());
        } catch (java.io.IOException unreadable) {
            return eventMapper.getNodeFactory().textNode(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String simpleName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }

    private record Target(AccountId account, Money amount, String note) {
    }

    private Target target(JsonNode body) {
        String userRef = Amounts.requiredText(body, "user_id").trim();
        Money amount = Amounts.positive(body, "amount_usd");
        String note = Amounts.optionalText(body, "note", 500);
        return new Target(accounts.existing(userRef, "user_not_found"), amount, note);
    }
}
