package dev.tollgate.api.account;

/** Whose account it is: one person's, or a team's (shared by its members). */
public enum AccountKind {
    USER, TEAM
}
