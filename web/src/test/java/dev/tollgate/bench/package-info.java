/** Benchmarks (not tests): run by the scripts under bench/, they print tables. */
package dev.tollgate.bench;
