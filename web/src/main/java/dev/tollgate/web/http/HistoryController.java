package dev.tollgate.web.http;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.query.history.HistoryEntry;
import dev.tollgate.query.history.HistoryQueries;
import dev.tollgate.web.ledger.CatchUp;
import dev.tollgate.web.ledger.Ledger;
import dev.tollgate.web.security.Caller;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** An account's transaction history, newest first, with cursors that stay stable while new entries arrive. */
@RestController
public class HistoryController {
    private static final int MAX_LIMIT = 200;

    private final Ledger ledger;
    private final HistoryQueries history;

    public HistoryController(Ledger ledger, HistoryQueries history) {
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

    @GetMapping("/api/credits/transactions")
    public Page transactions(@AuthenticationPrincipal Caller caller,
                             @RequestParam(defaultValue = "50") int limit,
                             @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        Long before = cursor == null || cursor.isEmpty() ? null : decode(cursor);
        String account = caller.userId();
        if (before == null) {
            awaitOwnWrites(account);
        }
        List<HistoryEntry> rows = history.page(account, before, limit + 1);
        boolean more = rows.size() > limit;
        List<HistoryEntry> page = more ? rows.subList(0, limit) : rows;
        String next = more ? encode(page.get(page.size() - 1).seq()) : null;
        return new Page(page.stream().map(EntryView::of).toList(), next);
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
