/** Read models: event handlers that record into SQL tables, and the queries that answer from them. */
package dev.tollgate.query;
