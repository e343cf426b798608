/** End-to-end tests: the real application on a random port, spoken to over HTTP. */
package dev.tollgate.web.e2e;
