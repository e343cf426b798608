package dev.tollgate.web.ai;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.money.Money;
import java.time.Instant;

/**
 * Who pays for a metered call: the account charged, the API key that made the call ({@code null} for a login
 * token), and that key's spend cap as it stands now ({@code null} for none). A team key's calls are charged to the
 * team's account and count against the key's cap (ADR 32).
 */
public record Payer(AccountId account, String apiKeyId, Money spendCap) {

    public static Payer of(AccountId account) {
        return new Payer(account, null, null);
    }

    ReserveCredits reserve(String holdId, Money amount, String requestId, Instant expiresAt, Instant at) {
        return new ReserveCredits(account, holdId, amount, requestId, expiresAt, at, apiKeyId, spendCap);
    }
}
