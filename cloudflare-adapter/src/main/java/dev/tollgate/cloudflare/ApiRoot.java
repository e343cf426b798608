package dev.tollgate.cloudflare;

import okhttp3.HttpUrl;

/**
 * Where Workers AI's API lives under {@code CLOUDFLARE_API_BASE} (ADR 53). Tollgate's contract gives the base with
 * {@code /client/v4} ({@code https://api.cloudflare.com/client/v4}); Cloudflare's documentation calls the host alone
 * the base and writes {@code /client/v4} into every path. A base with a path is taken as it is. A bare host may mean
 * either, so calls go to {@code {host}/client/v4/accounts/…} first; when that path is not there (a 404 that is not
 * Cloudflare's "no such model"), the same call goes to {@code {host}/accounts/…}. The first answer from a path that
 * is there settles the root for good.
 */
final class ApiRoot {
    private final HttpUrl first;
    private final HttpUrl second;
    private volatile HttpUrl settled;

    ApiRoot(HttpUrl base, String accountId) {
        HttpUrl asGiven = base.newBuilder().addPathSegment("accounts").addPathSegment(accountId).build();
        if (base.encodedPath().equals("/")) {
            this.first = base.newBuilder().addPathSegments("client/v4/accounts").addPathSegment(accountId).build();
            this.second = asGiven;
            this.settled = null;
        } else {
            this.first = asGiven;
            this.second = null;
            this.settled = asGiven;
        }
    }

    /** The account's URL ({@code …/accounts/{id}}) that calls are built on now. */
    HttpUrl accountUrl() {
        HttpUrl known = settled;
        return known != null ? known : first;
    }

    /**
     * Whether this call's answer stands as it is: the base had a path, or the root is settled and the call was built
     * on it (a call built before another settled the root may still need the other one).
     */
    boolean isCertain(HttpUrl call) {
        HttpUrl known = settled;
        return second == null || known != null && call.toString().startsWith(known.toString());
    }

    /** The same call under the other root. */
    HttpUrl elsewhere(HttpUrl call) {
        String url = call.toString();
        return url.startsWith(first.toString())
                ? HttpUrl.get(second + url.substring(first.toString().length()))
                : HttpUrl.get(first + url.substring(second.toString().length()));
    }

    /** A path answered there: calls are built on that call's root from now on. */
    void settleOn(HttpUrl call) {
        if (settled == null) {
            settled = call.toString().startsWith(first.toString()) ? first : second;
        }
    }
}
