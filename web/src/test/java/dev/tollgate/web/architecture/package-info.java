/** Tests of the architecture itself. */
package dev.tollgate.web.architecture;
