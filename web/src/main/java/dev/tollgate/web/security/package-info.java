/** Who is calling: JWTs, API keys, roles, and the answers to callers who may not. */
package dev.tollgate.web.security;
