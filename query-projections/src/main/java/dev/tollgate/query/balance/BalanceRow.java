package dev.tollgate.query.balance;

import dev.tollgate.api.money.Money;

/** One account's row in the balance read model. */
public record BalanceRow(String accountId, Money balance, Money held, boolean open) {
}
