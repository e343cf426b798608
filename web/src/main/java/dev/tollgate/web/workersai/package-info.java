/** The Cloudflare-format drop-in surface: /client/v4/accounts/{account}/ai/run/{model}, in Cloudflare's envelope. */
package dev.tollgate.web.workersai;
