/** Money as an exact count of nano-dollars, and its strict decimal text form. */
package dev.tollgate.api.money;
