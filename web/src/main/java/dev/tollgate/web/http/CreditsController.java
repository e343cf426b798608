package dev.tollgate.web.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.money.Money;
import dev.tollgate.web.identity.User;
import dev.tollgate.web.identity.UserDirectory;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.util.Locale;
import java.util.Optional;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/credits")
public class CreditsController {
    private final Ledger ledger;
    private final UserDirectory users;

    public CreditsController(Ledger ledger, UserDirectory users) {
        this.ledger = ledger;
        this.users = users;
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
    @GetMapping("/balance")
    public BalanceView balance(@AuthenticationPrincipal Caller caller) {
        return BalanceView.of(ledger.state(AccountId.of(caller.userId())));
    }

    @PostMapping("/transfer")
    public TransferView transfer(@AuthenticationPrincipal Caller caller, @RequestBody JsonNode body,
                                 @RequestHeader(value = "Idempotency-Key", required = false) String key) {
        String to = Amounts.requiredText(body, "to").trim();
        Money amount = Amounts.positive(body, "amount_usd");
        String note = Amounts.optionalText(body, "note", 500);
        User recipient = recipient(to).orElseThrow(
                () -> ApiException.notFound("recipient_not_found", "No user with this email or id."));
        if (recipient.id().equals(caller.userId())) {
            throw ApiException.badRequest("A transfer needs two different accounts.");
        }
        Ledger.TransferResult result = ledger.transfer(AccountId.of(caller.userId()), AccountId.of(recipient.id()),
                amount, note, Amounts.idempotencyKey(key));
        return new TransferView(result.transferId(), result.outcome().name().toLowerCase(Locale.ROOT),
                result.receipt().balanceAfter().toUsdString());
    }

    private Optional<User> recipient(String to) {
        return to.contains("@") ? users.byEmail(to) : users.byId(to);
    }
}
