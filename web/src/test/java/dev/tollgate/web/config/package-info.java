/** Unit tests of the application wiring that needs no running application. */
package dev.tollgate.web.config;
