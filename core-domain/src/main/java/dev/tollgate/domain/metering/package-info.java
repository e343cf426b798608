/** Metered AI calls: the provider port, prices and the exact cost rule. */
package dev.tollgate.domain.metering;
