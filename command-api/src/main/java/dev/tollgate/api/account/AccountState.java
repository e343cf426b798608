package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;

/** An account's balances as its aggregate holds them right now (not a projection). */
public record AccountState(AccountId accountId, Money balance, Money held, boolean open) {
    public Money available() {
        return balance.minus(held);
    }
}
