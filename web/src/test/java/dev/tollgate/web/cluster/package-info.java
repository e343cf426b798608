/** Tests with several Tollgate processes (started from the built jar, as an operator would) on one PostgreSQL. */
package dev.tollgate.web.cluster;
