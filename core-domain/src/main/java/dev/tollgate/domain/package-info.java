/** The parts of Tollgate that decide: aggregates, processes, pure rules and the ports they need. */
package dev.tollgate.domain;
