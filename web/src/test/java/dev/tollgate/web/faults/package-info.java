/** Faults from outside: the database going away under load. */
package dev.tollgate.web.faults;
