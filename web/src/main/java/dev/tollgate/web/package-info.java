/** The Spring Boot application that puts Tollgate on the network. */
package dev.tollgate.web;
