package dev.tollgate.api.metering;

import dev.tollgate.api.money.Money;

/**
 * What settling a hold answers: what was collected from the account (the charge's cost, or less when the account
 * could not cover a charge above its hold; ADR 7) and the balance it left. Answers quote {@code collected}, so
 * that an answer, the account's history and its usage log agree on what the call took.
 */
public record Settlement(String holdId, Money collected, Money balanceAfter) {
}
