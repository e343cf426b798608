package dev.tollgate.api.metering;

/**
 * Who counted a call's tokens: the provider's own usage figures, Tollgate's local estimate, or the caller, for usage
 * run elsewhere and reported to Tollgate ({@code POST /api/usage}, ADR 30).
 */
public enum TokenSource {
    PROVIDER, ESTIMATE, REPORTED
}
