/** Unit tests of the HTTP layer's pure helpers. */
package dev.tollgate.web.http;
