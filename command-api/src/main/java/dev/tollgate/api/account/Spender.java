package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;

/**
 * Who places a hold on an account that several people spend (ADR 32): the API key that made the call and, on a
 * team's account, the member holding it, each with the cap it has now ({@code null}: none). Both caps are checked
 * in the account, so neither can be passed however many calls run at once. {@code null} fields are "not known".
 */
public record Spender(String apiKeyId, Money keyCap, String memberId, Money memberCap) {

    public static Spender key(String apiKeyId) {
        return new Spender(apiKeyId, null, null, null);
    }
}
