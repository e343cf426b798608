/** The raw event history of an account, read straight from the event store for audits. */
package dev.tollgate.query.audit;
