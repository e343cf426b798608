/**
 * Messages of an account's budget: spend limits per UTC day and month, alert thresholds and an optional hard stop
 * that the account enforces when a metered call places its hold (ADR 27).
 */
package dev.tollgate.api.budget;
