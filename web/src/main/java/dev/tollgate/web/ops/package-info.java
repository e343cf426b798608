/** Operator tools: read-model status and replay. */
package dev.tollgate.web.ops;
