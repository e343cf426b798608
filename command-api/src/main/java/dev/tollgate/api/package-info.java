/** The message language of Tollgate: commands, events, queries and the value types they carry. */
package dev.tollgate.api;
