/** The transfer process: debit, credit, refund when the credit cannot happen. */
package dev.tollgate.domain.transfer;
