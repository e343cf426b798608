/**
 * Messages of the operator's price book: a model's price and the operator's markup, each from an effective time on
 * (ADR 28). The price book is one stream, {@link PriceBookId#VALUE}.
 */
package dev.tollgate.api.pricing;
