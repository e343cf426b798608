/** Unit tests of the rate limiters, on a clock the test moves. */
package dev.tollgate.web.limits;
