/** The transaction history read model: one row per ledger entry, with the balance it left. */
package dev.tollgate.query.history;
