package dev.tollgate.web.http;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.query.history.HistoryEntry;
import dev.tollgate.query.history.HistoryQueries;
import dev.tollgate.web.ledger.CatchUp;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * An account's transaction history, newest first, with cursors that stay stable while new entries arrive; also as a
 * CSV export.
 */
@RestController
public class HistoryController {
    private static final int MAX_LIMIT = 200;
    private static final int EXPORT_PAGE = 500;

    private final Ledger ledger;
    private final HistoryQueries history;

    private final TeamAccess access;

    public HistoryController(Ledger ledger, HistoryQueries history, TeamAccess access) {
        this.access = access;
        this.ledger = ledger;
        this.history = history;
    }

    public record EntryView(String id, String type, String amountUsd, String balanceAfterUsd, Instant at,
                            String counterparty, String model, String requestId, String description) {
        static EntryView of(HistoryEntry e) {
            return new EntryView(e.id(), e.type(), e.amount().toUsdString(), e.balanceAfter().toUsdString(), e.at(),
                    e.counterparty(), e.model(), e.requestId(), e.description());
        }
    }

    public record Page(List<EntryView> items, String nextCursor) {
    }

    /**
     * A page of JSON, or with {@code ?format=csv} / {@code Accept: text/csv} the whole history as one CSV export,
     * newest first, starting below the cursor when one is given; {@code limit} sizes JSON pages only (ADR 14).
     */
    @GetMapping({"/api/credits/transactions", "/api/teams/{teamId}/transactions"})
    public Page transactions(@AuthenticationPrincipal Caller caller, @PathVariable(required = false) String teamId,
                             @RequestParam(defaultValue = "50") int limit,
                             @RequestParam(required = false) String cursor,
                             @RequestParam(required = false) String format,
                             @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept,
                             HttpServletResponse response) throws IOException {
        if (limit < 1) {
            throw ApiException.badRequest("limit must be at least 1");
        }
        // A larger page is served at the largest size: next_cursor says there is more, as on any page (ADR 14).
        limit = Math.min(limit, MAX_LIMIT);
        Long before = cursor == null || cursor.isEmpty() ? null : decode(cursor);
        boolean csv = Csv.wanted(format, accept);
        String account = access.readable(caller, teamId).value();
        if (before == null) {
            awaitOwnWrites(account);
        }
        if (csv) {
            export(account, before, response);
            // The response is written; Spring MVC answers nothing more for a handler that took the response.
            return null;
        }
        List<HistoryEntry> rows = history.page(account, before, limit + 1);
        boolean more = rows.size() > limit;
        List<HistoryEntry> page = more ? rows.subList(0, limit) : rows;
        String next = more ? encode(page.get(page.size() - 1).seq()) : null;
        return new Page(page.stream().map(EntryView::of).toList(), next);
    }

    /**
     * Streams the export a page at a time by the stream's sequence, so a long history is never held in memory and
     * no database connection is held while the client reads. Entries that arrive during the export are newer than
     * its first row and are not in it: the export is the history as of its start.
     */
    private void export(String account, Long before, HttpServletResponse response) throws IOException {
        try (Writer out = Csv.stream(response, "transactions.csv")) {
            out.write(Csv.row("id", "type", "amount_usd", "balance_after_usd", "at", "counterparty", "model",
                    "request_id", "description"));
            Long below = before;
            while (true) {
                List<HistoryEntry> page = history.page(account, below, EXPORT_PAGE);
                for (HistoryEntry e : page) {
                    EntryView v = EntryView.of(e);
                    out.write(Csv.row(v.id(), v.type(), v.amountUsd(), v.balanceAfterUsd(), v.at(), v.counterparty(),
                            v.model(), v.requestId(), v.description()));
                }
                if (page.size() < EXPORT_PAGE) {
                    return;
                }
                below = page.get(page.size() - 1).seq();
                out.flush();
            }
        }
    }

    /**
     * The history is a read model; wait (briefly) until it has recorded everything the account has done, so a
     * client that just moved money sees that movement in its first page.
     */
    private void awaitOwnWrites(String account) {
        AccountState state = ledger.state(AccountId.of(account));
        CatchUp.await(() -> history.recordedUpTo(account) >= state.version(), 2_000);
    }

    private static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("s" + seq).getBytes(StandardCharsets.US_ASCII));
    }

    private static long decode(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!text.startsWith("s")) {
                throw new IllegalArgumentException();
            }
            return Long.parseLong(text.substring(1));
        } catch (IllegalArgumentException bad) {
            throw ApiException.badRequest("cursor is not one this API gave out");
        }
    }
}
