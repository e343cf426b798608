package dev.tollgate.api.account;

import dev.tollgate.api.money.Money;

/**
 * An account's balances as its aggregate holds them right now (not a projection), and its version: the sequence
 * number of its last event, so a reader can wait until a read model has caught up with it ({@code -1} when
 * unknown, e.g. before any event).
 */
public record AccountState(AccountId accountId, Money balance, Money held, boolean open, long version) {

    public AccountState(AccountId accountId, Money balance, Money held, boolean open) {
        this(accountId, balance, held, open, -1);
    }

    public Money available() {
        return balance.minus(held);
    }

    public AccountState atVersion(long version) {
        return new AccountState(accountId, balance, held, open, version);
    }
}
