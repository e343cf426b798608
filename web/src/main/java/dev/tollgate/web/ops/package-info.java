/** Operator tools: read-model status and replay, health components, and the tollgate_* metrics. */
package dev.tollgate.web.ops;
