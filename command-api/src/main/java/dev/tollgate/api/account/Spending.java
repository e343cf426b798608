package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;
import java.util.Map;

/**
 * What the charges of each API key's and each member's calls on an account collected over its life, and what their
 * open holds keep aside: the numbers their caps are checked against (ADR 32). Spenders without a call are absent.
 */
public record Spending(AccountId accountId, Map<String, Spent> byKey, Map<String, Spent> byMember) {
    public static final Spent NOTHING = new Spent(Money.ZERO, Money.ZERO);

    public Spending {
        byKey = Map.copyOf(byKey);
        byMember = Map.copyOf(byMember);
    }

    public record Spent(Money spent, Money held) {
    }

    public Spent ofKey(String apiKeyId) {
        return byKey.getOrDefault(apiKeyId, NOTHING);
    }

    public Spent ofMember(String memberId) {
        return byMember.getOrDefault(memberId, NOTHING);
    }
}
