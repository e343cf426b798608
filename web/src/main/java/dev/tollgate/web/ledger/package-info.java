/** The application side of the ledger: turns HTTP intents into commands and waits for their outcomes. */
package dev.tollgate.web.ledger;
