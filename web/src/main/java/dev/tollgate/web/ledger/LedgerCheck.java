package dev.tollgate.web.ledger;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.money.Money;
import dev.tollgate.query.balance.BalanceQueries;
import dev.tollgate.query.balance.BalanceRow;
import dev.tollgate.query.history.HistoryEntry;
import dev.tollgate.query.history.HistoryQueries;
import dev.tollgate.web.identity.Teams;
import dev.tollgate.web.identity.UserDirectory;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Verifies the ledger's invariants on live data, each against an independent source: the aggregates (the
 * truth), the balance read model and the history read model. Sums are taken as BigInteger so that the check
 * itself cannot overflow.
 */
@Component
public class LedgerCheck {
    private final Ledger ledger;
    private final UserDirectory users;
    private final Teams teams;
    private final BalanceQueries balances;
    private final HistoryQueries history;

    public LedgerCheck(Ledger ledger, UserDirectory users, Teams teams, BalanceQueries balances,
                       HistoryQueries history) {
        this.ledger = ledger;
        this.users = users;
        this.teams = teams;
        this.balances = balances;
        this.history = history;
    }

    public record Report(boolean ok, List<String> problems, int accounts, Map<String, String> totalsUsd) {
    }

    public Report run() {
        List<String> problems = new ArrayList<>();
        BigInteger userTotal = BigInteger.ZERO;
        BigInteger teamTotal = BigInteger.ZERO;
        BigInteger funding = BigInteger.ZERO;
        BigInteger adjustments = BigInteger.ZERO;
        BigInteger revenue = BigInteger.ZERO;
        BigInteger inFlight = BigInteger.ZERO;
        // Every account that holds users' money: each user's, and each team's (ADR 32).
        List<String> everyone = new ArrayList<>();
        users.all().forEach(user -> everyone.add(user.id()));
        int userCount = everyone.size();
        teams.allIds().forEach(teamId -> everyone.add(Teams.accountOf(teamId).value()));
        for (int i = 0; i < everyone.size(); i++) {
            String account = everyone.get(i);
            AccountState state = caughtUpState(account);
            if (i < userCount) {
                userTotal = userTotal.add(BigInteger.valueOf(state.balance().nanos()));
            } else {
                teamTotal = teamTotal.add(BigInteger.valueOf(state.balance().nanos()));
            }
            if (state.available().isNegative()) {
                problems.add("account " + account + " has a negative available balance " + state.available());
            }
            Optional<BalanceRow> row = balances.find(account);
            if (row.isEmpty()) {
                problems.add("account " + account + " has no row in the balance read model");
            } else if (!row.get().balance().equals(state.balance()) || !row.get().held().equals(state.held())) {
                problems.add("balance read model of " + account + " says " + row.get().balance().toUsdString()
                        + " (held " + row.get().held().toUsdString() + ") but the account holds "
                        + state.balance().toUsdString() + " (held " + state.held().toUsdString() + ")");
            }
            BigInteger sum = BigInteger.ZERO;
            HistoryEntry last = null;
            for (HistoryEntry entry : history.all(account)) {
                BigInteger amount = BigInteger.valueOf(entry.amount().nanos());
                sum = sum.add(amount);
                switch (entry.type()) {
                    case "deposit" -> funding = funding.subtract(amount);
                    case "deduction" -> adjustments = adjustments.subtract(amount);
                    case "charge" -> {
                        revenue = revenue.subtract(amount);
                        if (entry.model() == null || entry.requestId() == null) {
                            problems.add("charge " + entry.id() + " does not name its model and request");
                        }
                    }
                    // Sent money (negative here) is in flight until it arrives or comes back (positive there).
                    case "transfer_out", "transfer_in", "transfer_refund" -> inFlight = inFlight.subtract(amount);
                    default -> problems.add("entry " + entry.id() + " has an unknown type " + entry.type());
                }
                last = entry;
            }
            if (!sum.equals(BigInteger.valueOf(state.balance().nanos()))) {
                problems.add("history of " + account + " sums to " + usd(sum) + " but the account holds "
                        + state.balance().toUsdString());
            }
            if (last != null && !last.balanceAfter().equals(state.balance())) {
                problems.add("last history entry of " + account + " leaves " + last.balanceAfter().toUsdString()
                        + " but the account holds " + state.balance().toUsdString());
            }
        }
        if (inFlight.signum() < 0) {
            problems.add("more money arrived than was sent: in flight is " + usd(inFlight));
        }
        BigInteger total = userTotal.add(teamTotal).add(funding).add(adjustments).add(revenue).add(inFlight);
        if (total.signum() != 0) {
            problems.add("double entry broken: users + teams + funding + revenue + adjustments + in flight = "
                    + usd(total));
        }
        Map<String, String> totals = new LinkedHashMap<>();
        totals.put("users", usd(userTotal));
        totals.put("teams", usd(teamTotal));
        totals.put("funding", usd(funding));
        totals.put("revenue", usd(revenue));
        totals.put("adjustments", usd(adjustments));
        totals.put("in_flight", usd(inFlight));
        return new Report(problems.isEmpty(), problems, everyone.size(), totals);
    }

    /** The aggregate's state, after giving the history read model a moment to record up to it. */
    private AccountState caughtUpState(String accountId) {
        AccountState state = ledger.state(AccountId.of(accountId));
        CatchUp.await(() -> history.recordedUpTo(accountId) >= state.version(), 3_000);
        // The balance read model runs in its own processor; give it the same chance to catch up.
        CatchUp.await(() -> balances.find(accountId)
                .filter(row -> row.balance().equals(state.balance()) && row.held().equals(state.held()))
                .isPresent(), 3_000);
        return state;
    }

    /** A total may pass what one account can hold (several rich accounts); it is written out all the same. */
    static String usd(BigInteger nanos) {
        if (nanos.bitLength() < Long.SIZE) {
            return new Money(nanos.longValue()).toUsdString();
        }
        BigInteger[] dollarsAndNanos = nanos.abs().divideAndRemainder(BigInteger.valueOf(1_000_000_000));
        String fraction = String.format("%09d", dollarsAndNanos[1].longValue()).replaceAll("0+$", "");
        return (nanos.signum() < 0 ? "-" : "") + dollarsAndNanos[0] + (fraction.isEmpty() ? "" : "." + fraction);
    }
}
