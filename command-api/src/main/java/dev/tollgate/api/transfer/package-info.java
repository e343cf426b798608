/** Messages of a transfer between two accounts: debit the sender, credit the receiver, refund if it cannot. */
package dev.tollgate.api.transfer;
