/** Unit tests of the operator tools: metrics around the provider port. */
package dev.tollgate.web.ops;
