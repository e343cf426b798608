/** The metered gateway: token estimates, the offline provider, reserve → call → settle. */
package dev.tollgate.web.ai;
