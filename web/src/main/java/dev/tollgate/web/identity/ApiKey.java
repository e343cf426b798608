package dev.tollgate.web.identity;

import dev.tollgate.api.money.Money;
import java.time.Instant;

/**
 * An API key's public record; the key itself exists only in the creation answer. A team key ({@code teamId} set)
 * spends its team's money, up to {@code spendCap} when one is set, and its holder's {@code memberCap} in the team
 * bounds all of their team keys together (read only when the key authenticates; ADR 32).
 */
public record ApiKey(String id, String userId, String name, String prefix, Instant createdAt, Instant lastUsedAt,
                     boolean revoked, String teamId, Money spendCap, Money memberCap) {
}
