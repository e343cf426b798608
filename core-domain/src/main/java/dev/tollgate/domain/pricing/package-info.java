/** The operator's price book: the one place that decides a price change (ADR 28). */
package dev.tollgate.domain.pricing;
