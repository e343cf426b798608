/** The balance read model: one row per account with its booked and held money. */
package dev.tollgate.query.balance;
