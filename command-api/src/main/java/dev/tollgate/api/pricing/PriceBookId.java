package dev.tollgate.api.pricing;

/** The price book is one aggregate: every price change is on this one stream, in order. */
public final class PriceBookId {
    public static final String VALUE = "price-book";

    private PriceBookId() {
    }
}
