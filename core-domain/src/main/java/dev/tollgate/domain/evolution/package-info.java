/** How released events evolve: upcasters that read old revisions as new ones, so history is never edited. */
package dev.tollgate.domain.evolution;
