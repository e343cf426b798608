/** The user account aggregate: balance, holds and the idempotency memory of its money commands. */
package dev.tollgate.domain.account;
