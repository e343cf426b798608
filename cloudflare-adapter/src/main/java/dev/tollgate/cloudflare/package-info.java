/** The Cloudflare Workers AI client: Tollgate's InferenceProvider speaking Cloudflare's wire format over HTTPS. */
package dev.tollgate.cloudflare;
