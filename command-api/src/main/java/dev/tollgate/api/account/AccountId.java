package dev.tollgate.api.account;

import java.beans.Transient;

/** The identity of an account: a user's (its user id) or one of the system accounts. */
public record AccountId(String value) {
    /** Where deposits come from. */
    public static final AccountId FUNDING = new AccountId("funding");
    /** Where usage charges go. */
    public static final AccountId REVENUE = new AccountId("revenue");
    /** Where admin deductions go. */
    public static final AccountId ADJUSTMENTS = new AccountId("adjustments");

    public AccountId {
        if (!wellFormed(value)) {
            throw new IllegalArgumentException("account id must be 1-64 letters, digits, '_', ':', '.' or '-'");
        }
    }

    /**
     * 1-64 characters: a letter or digit, then letters, digits, '_', ':', '.' or '-'. Checked by hand rather than by
     * a regular expression: every event read back builds its account ids, and a replay reads millions.
     */
    private static boolean wellFormed(String value) {
        if (value == null || value.isEmpty() || value.length() > 64 || !letterOrDigit(value.charAt(0))) {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!letterOrDigit(c) && c != '_' && c != ':' && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean letterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public static AccountId of(String value) {
        return new AccountId(value);
    }

    /** Derived from the value; {@link Transient} keeps it out of stored JSON (see {@code Money}). */
    @Transient
    public boolean isSystemAccount() {
        return equals(FUNDING) || equals(REVENUE) || equals(ADJUSTMENTS);
    }

    /** Axon routes commands by the identifier's string form, so it must be the bare value. */
    @Override
    public String toString() {
        return value;
    }
}
