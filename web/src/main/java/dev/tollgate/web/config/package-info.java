/** Wiring: storage, Axon, time and the application's own settings. */
package dev.tollgate.web.config;
