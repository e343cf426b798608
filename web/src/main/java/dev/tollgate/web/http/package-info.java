/** The REST surface: controllers, the one error shape, request ids. */
package dev.tollgate.web.http;
