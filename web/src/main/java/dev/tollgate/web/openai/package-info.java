/** The OpenAI-compatible drop-in surface: /v1/chat/completions, /v1/models, in OpenAI's wire format and errors. */
package dev.tollgate.web.openai;
