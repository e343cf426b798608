/** Rate limits: AI calls per user and per API key, and login and registration per client address. */
package dev.tollgate.web.limits;
