package dev.tollgate.web.identity;

public enum Role {
    USER, ADMIN;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
