package dev.tollgate.api.account;

import java.beans.Transient;
import java.util.regex.Pattern;

/** The identity of an account: a user's (its user id) or one of the system accounts. */
public record AccountId(String value) {
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}");

    /** Where deposits come from. */
    public static final AccountId FUNDING = new AccountId("funding");
    /** Where usage charges go. */
    public static final AccountId REVENUE = new AccountId("revenue");
    /** Where admin deductions go. */
    public static final AccountId ADJUSTMENTS = new AccountId("adjustments");

    public AccountId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("account id must be 1-64 letters, digits, '_', ':', '.' or '-'");
        }
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
