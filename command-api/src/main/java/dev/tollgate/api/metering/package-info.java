/** Messages of metered calls: what a charge names so that it explains itself. */
package dev.tollgate.api.metering;
