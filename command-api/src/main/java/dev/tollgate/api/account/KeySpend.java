package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.util.Map;

/**
 * What the charges of each API key's calls on an account collected over its life, and what its open holds keep
 * aside: the two numbers a key's spend cap is checked against. Keys that never made a call are absent.
 */
public record KeySpend(AccountId accountId, Map<String, Money> spent, Map<String, Money> held) {
    public KeySpend {
        spent = Map.copyOf(spent);
        held = Map.copyOf(held);
    }

    public Money spentBy(String apiKeyId) {
        return spent.getOrDefault(apiKeyId, Money.ZERO);
    }

    public Money heldBy(String apiKeyId) {
        return held.getOrDefault(apiKeyId, Money.ZERO);
    }
}
