/** The usage read model: one row per metered call, and the totals people read from it. */
package dev.tollgate.query.usage;
