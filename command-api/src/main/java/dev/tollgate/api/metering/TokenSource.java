package dev.tollgate.api.metering;

/** Who counted a call's tokens: the provider's own usage figures, or Tollgate's local estimate. */
public enum TokenSource {
    PROVIDER, ESTIMATE
}
