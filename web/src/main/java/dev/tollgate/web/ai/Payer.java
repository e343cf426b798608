package dev.tollgate.web.ai;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.Spender;
import dev.tollgate.api.money.Money;
import java.time.Instant;

/**
 * Who pays for a metered call: the account charged, and who spends it — the API key and, on a team's account, the
 * member holding it, with their caps as they stand now ({@code null} spender for a login token). A team key's
 * calls are charged to the team's account and count against the key's and the member's caps (ADR 32).
 */
public record Payer(AccountId account, Spender spender) {

    public static Payer of(AccountId account) {
        return new Payer(account, null);
    }

    /**
     * Where this payer's Idempotency-Keys live: the account, and on a team's account each member apart, so two
     * members' keys never answer each other's calls.
     */
    public String idempotencyScope() {
        return spender == null || spender.memberId() == null ? account.value()
                : account.value() + "/" + spender.memberId();
    }

    ReserveCredits reserve(String holdId, Money amount, String requestId, Instant expiresAt, Instant at,
                           String model) {
        return new ReserveCredits(account, holdId, amount, requestId, expiresAt, at, spender, model);
    }
}
