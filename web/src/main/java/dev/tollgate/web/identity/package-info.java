/** Users, roles, passwords and API keys: kept in plain tables, never in the event store. */
package dev.tollgate.web.identity;
