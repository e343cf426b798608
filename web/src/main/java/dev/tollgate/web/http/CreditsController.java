package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.util.Locale;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class CreditsController {
    private final Ledger ledger;
    private final AccountRefs accounts;
    private final TeamAccess access;

    public CreditsController(Ledger ledger, AccountRefs accounts, TeamAccess access) {
        this.access = access;
        this.ledger = ledger;
        this.accounts = accounts;
    }

    public record BalanceView(String accountId, String balanceUsd, String heldUsd, String availableUsd,
                              String currency) {
        static BalanceView of(AccountState state) {
            return new BalanceView(state.accountId().value(), state.balance().toUsdString(),
                    state.held().toUsdString(), state.available().toUsdString(), "USD");
        }
    }

    public record TransferView(String transferId, String status, String balanceUsd) {
    }

    /** Read from the account aggregate itself, so it is exact right after any money command. */
    @GetMapping({"/api/credits/balance", "/api/teams/{teamId}/balance"})
    public BalanceView balance(@AuthenticationPrincipal Caller caller, @PathVariable(required = false) String teamId) {
        return BalanceView.of(ledger.state(access.readable(caller, teamId)));
    }

    @PostMapping("/api/credits/transfer")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(
            content = @Content(schema = @Schema(implementation = RequestBodies.Transfer.class)))
    public TransferView transfer(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                                 @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        if (caller.viaTeamKey()) {
            // Also refused by the security rules; a team key must never move a team's money out (ADR 32).
            throw ApiException.forbidden("A team API key cannot move money; use your own login or API key.");
        }
        return send(ledger, accounts, caller.account(), body, key);
    }

    /**
     * A transfer out of {@code from} as the body asks ({@code "to"}: email, user id or {@code team:{id}}), the whole
     * body read before any money moves; answers the sender's balance after it.
     */
    static TransferView send(Ledger ledger, AccountRefs accounts, AccountId from, JsonNode body, String key) {
        String to = Amounts.requiredText(body, "to").trim();
        Money amount = Amounts.positive(body, "amount_usd");
        String note = Amounts.optionalText(body, "note", 500);
        AccountId recipient = accounts.existing(to, "recipient_not_found");
        if (recipient.equals(from)) {
            throw ApiException.badRequest("A transfer needs two different accounts.");
        }
        Ledger.TransferResult result = ledger.transfer(from, recipient, amount, note, Amounts.idempotencyKey(key));
        return new TransferView(result.transferId(), result.outcome().name().toLowerCase(Locale.ROOT),
                result.balanceAfter().toUsdString());
    }
}
