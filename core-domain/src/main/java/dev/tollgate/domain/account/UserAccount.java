package dev.tollgate.domain.account;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.tollgate.api.account.AccountClosed;
import dev.tollgate.api.account.AccountClosedException;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.ReadSpending;
import dev.tollgate.api.account.Spender;
import dev.tollgate.api.account.Spending;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.CloseAccount;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.DeductCredits;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.HoldDeadline;
import dev.tollgate.api.account.IdempotencyConflictException;
import dev.tollgate.api.account.InsufficientFundsException;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.InvalidCommandException;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReadAccountState;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.account.UnknownHoldException;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetExceededException;
import dev.tollgate.api.budget.BudgetSet;
import dev.tollgate.api.budget.BudgetStatus;
import dev.tollgate.api.budget.BudgetThresholdCrossed;
import dev.tollgate.api.budget.ChangeBudget;
import dev.tollgate.api.budget.ReadBudget;
import dev.tollgate.api.budget.SetBudget;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.Settlement;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.ReadTransferRefund;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.DeadlineMessage;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.AggregateLifecycle;
import org.axonframework.serialization.Revision;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A user's account: the one place that decides whether money may move in or out of it.
 * <p>
 * Balance is booked money; held is money set aside by open holds; available = balance - held and never goes
 * below zero through a reservation, a transfer or a deduction. Every event records the balance it leaves, so a
 * history line stands alone. Idempotency keys (and transfer ids already credited) are remembered for
 * {@link #MEMORY}, long enough to absorb any client retry or redelivery; see docs/decisions.
 */
@Aggregate(cache = "accountCache", snapshotTriggerDefinition = "accountSnapshotTrigger",
        commandTargetResolver = "commandTargets")
// Revision 2 added the budget and the spend counters: a revision-1 snapshot would read as "nothing spent today", so
// Axon skips it (RevisionSnapshotFilter) and rebuilds the account from its events. Revision 3 added what each API key
// and each team member spent (a revision-2 snapshot would read as "this key spent nothing"). Revision 4 added the
// holds that lapsed (a revision-3 snapshot would not know them, and a call that outlasted its hold would go unpaid).
@Revision("4")
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE, creatorVisibility = Visibility.NONE)
public class UserAccount {

    /** How long an idempotency key or a credited transfer id is remembered. */
    static final Duration MEMORY = Duration.ofHours(24);

    /**
     * The identifier as a plain string: Axon stores it in deadline scopes, and a typed id would come back from
     * that serialization as a map instead of itself.
     */
    @AggregateIdentifier
    private String accountId;
    private AccountId id;
    private long balance;
    private long held;
    private boolean open;
    private LinkedHashMap<String, OpenHold> holds = new LinkedHashMap<>();
    /**
     * Holds their deadline released while their call was still running, for {@link #MEMORY}: the call's result
     * still settles once (ADR 42).
     */
    private LinkedHashMap<String, LapsedHold> lapsed = new LinkedHashMap<>();
    /** When the hold deadline this account's events show as scheduled fires (it may have fired already). */
    private Instant holdDeadlineAt;
    private LinkedHashMap<String, Remembered> remembered = new LinkedHashMap<>();
    private LinkedHashMap<String, OutgoingTransfer> outgoing = new LinkedHashMap<>();
    /** The budget last set; {@code null} until one is (read as {@link Budget#NONE}). */
    private Budget budget;
    /** The UTC day (epoch day) of the latest charge, and what charges collected on that day. */
    private long spendDay;
    private long spentOnDay;
    /** The UTC month (year × 12 + month − 1) of the latest charge, and what charges collected in it. */
    private long spendMonth;
    private long spentInMonth;
    /** What the charges of each API key's and each team member's calls collected, over the account's life (ADR 32). */
    private LinkedHashMap<String, Long> spentByKey = new LinkedHashMap<>();
    private LinkedHashMap<String, Long> spentByMember = new LinkedHashMap<>();

    /** For Axon and Jackson: state is rebuilt from events or a snapshot. */
    protected UserAccount() {
    }

    @CommandHandler
    public UserAccount(OpenAccount command) {
        if (command.accountId().isSystemAccount()) {
            throw new InvalidCommandException("system accounts are not user accounts");
        }
        apply(new AccountOpened(command.accountId(), command.kind() == null ? AccountKind.USER : command.kind(),
                command.at()));
    }

    @CommandHandler
    public AccountState handle(ReadAccountState query) {
        Long version = AggregateLifecycle.getVersion();
        return state().atVersion(version == null ? -1 : version);
    }

    /** Preconditions: open account, positive amount; the new balance must fit in a long. */
    @CommandHandler
    public LedgerReceipt handle(DepositCredits command) {
        LedgerReceipt replay = replayOf(command.intent());
        if (replay != null) {
            return replay;
        }
        requireOpen();
        requirePositive(command.amount());
        Money after = new Money(addWithoutOverflow(balance, command.amount().nanos()));
        apply(new CreditsDeposited(id, command.entryId(), command.amount(), after, command.note(), command.actor(),
                intentOrNone(command.intent()), command.at()));
        return new LedgerReceipt(command.entryId(), after, false);
    }

    /** Preconditions: positive amount not above the available balance. Works on a closed account too. */
    @CommandHandler
    public LedgerReceipt handle(DeductCredits command) {
        LedgerReceipt replay = replayOf(command.intent());
        if (replay != null) {
            return replay;
        }
        requirePositive(command.amount());
        requireAvailable(command.amount());
        Money after = new Money(balance - command.amount().nanos());
        apply(new CreditsDeducted(id, command.entryId(), command.amount(), after, command.note(), command.actor(),
                intentOrNone(command.intent()), command.at()));
        return new LedgerReceipt(command.entryId(), after, false);
    }

    /**
     * Preconditions: open account, positive amount not above the available balance, a hold id not in use.
     * Placing the same hold again with the same amount answers the first placement.
     */
    @CommandHandler
    public LedgerReceipt handle(ReserveCredits command, DeadlineManager deadlines) {
        OpenHold existing = holds.get(command.holdId());
        if (existing != null) {
            if (existing.amount() == command.amount().nanos()) {
                return new LedgerReceipt(command.holdId(), new Money(balance), true);
            }
            throw new IdempotencyConflictException("hold " + command.holdId() + " exists with another amount");
        }
        requireOpen();
        requirePositive(command.amount());
        requireAvailable(command.amount());
        requireWithinBudget(command.amount(), command.at());
        Spender spender = command.spender();
        // Only a capped spender pays for summing its open holds.
        if (spender != null && spender.keyCap() != null) {
            requireWithinCap("this API key's spend cap", spender.keyCap(), spent(spentByKey, spender.apiKeyId()),
                    heldBy(OpenHold::apiKeyId, spender.apiKeyId()), command.amount());
        }
        if (spender != null && spender.memberCap() != null) {
            requireWithinCap("your spend cap in this team", spender.memberCap(),
                    spent(spentByMember, spender.memberId()), heldBy(OpenHold::memberId, spender.memberId()),
                    command.amount());
        }
        // A hold is never left open: if neither settle nor release comes, a deadline frees it. One pending deadline
        // serves every hold of the account that expires after it (ADR 24), so a busy account schedules one every
        // ten minutes, not one per call; an ended hold's deadline finds nothing to do and is never cancelled.
        boolean schedule = needsDeadline(command.at(), command.expiresAt());
        apply(new CreditsReserved(id, command.holdId(), command.amount(),
                new Money(held + command.amount().nanos()), command.requestId(), command.expiresAt(), command.at(),
                spender == null ? null : spender.apiKeyId(), spender == null ? null : spender.memberId(),
                command.model()));
        if (schedule) {
            deadlines.schedule(command.expiresAt(), HoldDeadline.NAME, new HoldDeadline(command.holdId()));
        }
        return new LedgerReceipt(command.holdId(), new Money(balance), false);
    }

    /**
     * Books the charge from the hold. A charge above the hold (the provider counted more than the estimate)
     * takes the excess from the available balance as far as it goes; what is left is not collected, because no
     * balance may go negative. The charge on the event always states the full computed cost.
     */
    @CommandHandler
    public Settlement handle(SettleReservation command) {
        OpenHold hold = holds.get(command.holdId());
        if (hold == null) {
            if (lapsed.containsKey(command.holdId())) {
                return settleLapsed(command);
            }
            throw new UnknownHoldException("no open hold " + command.holdId());
        }
        Charge charge = command.charge();
        long availableBeyondHold = balance - held;
        long collected = Math.min(charge.cost().nanos(), hold.amount() + availableBeyondHold);
        long released = Math.max(0, hold.amount() - collected);
        Money after = new Money(balance - collected);
        List<BudgetThresholdCrossed> crossed = thresholdsCrossedBy(collected, command.holdId(), command.at());
        apply(new ReservationSettled(id, command.holdId(), charge, new Money(collected), new Money(released), after,
                new Money(held - hold.amount()), command.at(), command.partial()));
        crossed.forEach(AggregateLifecycle::apply);
        return new Settlement(command.holdId(), new Money(collected), after);
    }

    /**
     * A call that outlasted its hold: its deadline released the hold (the money became available again), and the
     * provider's result came after. It is charged all the same, from the available balance as far as it goes, once:
     * a settled lapsed hold is forgotten, so a second settlement is rejected like that of any ended hold.
     */
    private Settlement settleLapsed(SettleReservation command) {
        Charge charge = command.charge();
        long collected = Math.min(charge.cost().nanos(), balance - held);
        Money after = new Money(balance - collected);
        List<BudgetThresholdCrossed> crossed = thresholdsCrossedBy(collected, command.holdId(), command.at());
        apply(new ReservationSettled(id, command.holdId(), charge, new Money(collected), Money.ZERO, after,
                new Money(held), command.at(), command.partial()));
        crossed.forEach(AggregateLifecycle::apply);
        return new Settlement(command.holdId(), new Money(collected), after);
    }

    @CommandHandler
    public LedgerReceipt handle(ReleaseReservation command) {
        OpenHold hold = holds.get(command.holdId());
        if (hold == null) {
            throw new UnknownHoldException("no open hold " + command.holdId());
        }
        apply(new ReservationReleased(id, command.holdId(), new Money(hold.amount()),
                new Money(held - hold.amount()), command.reason(), false, command.at()));
        return new LedgerReceipt(command.holdId(), new Money(balance), false);
    }

    /**
     * A hold deadline passed: every hold still open that has expired by then is freed in full, each with an event
     * that says it expired; the holds still open get the next deadline, at the earliest of their expiries. (A
     * deadline scheduled before ADR 24 named one hold; it is handled the same way.)
     */
    @DeadlineHandler(deadlineName = HoldDeadline.NAME)
    public void on(HoldDeadline deadline, DeadlineMessage<?> message, DeadlineManager deadlines) {
        Instant now = message.getTimestamp();
        List<String> expired = new ArrayList<>();
        holds.forEach((holdId, hold) -> {
            if (hold.expiresAt() == null || !hold.expiresAt().isAfter(now)) {
                expired.add(holdId);
            }
        });
        for (String holdId : expired) {
            OpenHold hold = holds.get(holdId);
            apply(new ReservationReleased(id, holdId, new Money(hold.amount()), new Money(held - hold.amount()),
                    "expired", true, now));
        }
        holds.entrySet().stream()
                .min(Comparator.comparing(entry -> entry.getValue().expiresAt()))
                .filter(next -> needsDeadline(now, next.getValue().expiresAt()))
                .ifPresent(next -> deadlines.schedule(next.getValue().expiresAt(), HoldDeadline.NAME,
                        new HoldDeadline(next.getKey())));
    }

    /**
     * Whether a hold placed at {@code at} that expires at {@code expiresAt} needs a deadline of its own: not if the
     * account's events show one still pending (after {@code at}) that fires no later than the hold expires.
     */
    private boolean needsDeadline(Instant at, Instant expiresAt) {
        return holdDeadlineAt == null || !holdDeadlineAt.isAfter(at) || holdDeadlineAt.isAfter(expiresAt);
    }

    /**
     * Replaces the budget. Limits are zero or more, thresholds whole percentages from 1 to 100 (at most ten, kept in
     * ascending order); setting the budget the account already has applies nothing.
     */
    @CommandHandler
    public BudgetStatus handle(SetBudget command) {
        Budget wanted = valid(command.budget());
        if (!wanted.equals(budget())) {
            apply(new BudgetSet(id, wanted, command.actor(), command.at()));
        }
        return budgetStatus(command.at());
    }

    /** Like {@link SetBudget}, for the parts the change names; the rest is the budget the account has now. */
    @CommandHandler
    public BudgetStatus handle(ChangeBudget command) {
        return handle(new SetBudget(command.accountId(), command.applyTo(budget()), command.actor(), command.at()));
    }

    @CommandHandler
    public BudgetStatus handle(ReadBudget query) {
        return budgetStatus(query.at());
    }

    @CommandHandler
    public Spending handle(ReadSpending query) {
        return spending();
    }

    /** Preconditions: open, no open holds. The balance stays booked; a closed account refuses new money. */
    @CommandHandler
    public void handle(CloseAccount command) {
        requireOpen();
        if (!holds.isEmpty()) {
            throw new InvalidCommandException("the account has open holds; settle or release them first");
        }
        apply(new AccountClosed(id, command.reason(), command.at()));
    }

    /** Preconditions: open, another account, positive amount not above the available balance. */
    @CommandHandler
    public LedgerReceipt handle(SendTransfer command) {
        LedgerReceipt replay = replayOf(command.intent());
        if (replay != null) {
            return replay;
        }
        requireOpen();
        if (command.to().equals(id)) {
            throw new InvalidCommandException("a transfer needs two different accounts");
        }
        requirePositive(command.amount());
        requireAvailable(command.amount());
        Money after = new Money(balance - command.amount().nanos());
        apply(new TransferSent(id, command.transferId(), command.to(), command.amount(), after, command.note(),
                intentOrNone(command.intent()), command.at()));
        return new LedgerReceipt(command.transferId(), after, false);
    }

    /**
     * Credits a transfer once, however often it is delivered. A closed account declines it with an event (not an
     * exception), so the transfer process can refund the sender within the same unit of work.
     */
    @CommandHandler
    public LedgerReceipt handle(ReceiveTransfer command) {
        Remembered credited = remembered.get(transferKey(command.transferId()));
        if (credited != null) {
            return credited.receipt().asReplay();
        }
        long sum;
        if (!open) {
            apply(new TransferDeclined(id, command.transferId(), command.from(), command.amount(),
                    "account closed", command.at()));
            return new LedgerReceipt(command.transferId(), new Money(balance), false);
        }
        try {
            sum = Math.addExact(balance, command.amount().nanos());
        } catch (ArithmeticException overflow) {
            apply(new TransferDeclined(id, command.transferId(), command.from(), command.amount(),
                    "balance would overflow", command.at()));
            return new LedgerReceipt(command.transferId(), new Money(balance), false);
        }
        Money after = new Money(sum);
        apply(new TransferReceived(id, command.transferId(), command.from(), command.amount(), after,
                command.note(), command.at()));
        return new LedgerReceipt(command.transferId(), after, false);
    }

    /** The refund of a transfer this account sent, as its receipt, or null when none is remembered. */
    @CommandHandler
    public LedgerReceipt handle(ReadTransferRefund query) {
        Remembered refunded = remembered.get(refundKey(query.transferId()));
        return refunded == null ? null : refunded.receipt().asReplay();
    }

    /** Gives an in-flight transfer back, once. Works on a closed account: the money must go home. */
    @CommandHandler
    public LedgerReceipt handle(RefundTransfer command) {
        OutgoingTransfer transfer = outgoing.get(command.transferId());
        if (transfer == null) {
            Remembered refunded = remembered.get(refundKey(command.transferId()));
            if (refunded != null) {
                return refunded.receipt().asReplay();
            }
            throw new InvalidCommandException("no transfer in flight with id " + command.transferId());
        }
        Money after = new Money(addWithoutOverflow(balance, transfer.amount()));
        apply(new TransferRefunded(id, command.transferId(), transfer.to(), new Money(transfer.amount()), after,
                command.reason(), command.at()));
        return new LedgerReceipt(command.transferId(), after, false);
    }

    // ---- state changes: only assignments, no decisions ----

    @EventSourcingHandler
    void on(AccountOpened event) {
        id = event.accountId();
        accountId = id.value();
        open = true;
    }

    @EventSourcingHandler
    void on(CreditsDeposited event) {
        forgetBefore(event.at());
        balance = event.balanceAfter().nanos();
        remember(event.intent(), event.entryId(), event.at());
    }

    @EventSourcingHandler
    void on(CreditsDeducted event) {
        forgetBefore(event.at());
        balance = event.balanceAfter().nanos();
        remember(event.intent(), event.entryId(), event.at());
    }

    @EventSourcingHandler
    void on(CreditsReserved event) {
        // The same decision the command took, so a reloaded account knows the deadline it scheduled.
        if (event.expiresAt() != null && needsDeadline(event.at(), event.expiresAt())) {
            holdDeadlineAt = event.expiresAt();
        }
        held = event.heldAfter().nanos();
        holds.put(event.holdId(), new OpenHold(event.amount().nanos(), event.requestId(), event.expiresAt(),
                event.apiKeyId(), event.memberId()));
    }

    @EventSourcingHandler
    void on(ReservationSettled event) {
        countSpend(event.collected().nanos(), event.at());
        OpenHold hold = holds.get(event.holdId());
        if (hold == null) {
            LapsedHold gone = lapsed.remove(event.holdId());
            hold = gone == null ? null : gone.hold();
        }
        if (hold != null && event.collected().nanos() > 0) {
            if (hold.apiKeyId() != null) {
                spentByKey.merge(hold.apiKeyId(), event.collected().nanos(), UserAccount::saturatedAdd);
            }
            if (hold.memberId() != null) {
                spentByMember.merge(hold.memberId(), event.collected().nanos(), UserAccount::saturatedAdd);
            }
        }
        balance = event.balanceAfter().nanos();
        held = event.heldAfter().nanos();
        holds.remove(event.holdId());
    }

    @EventSourcingHandler
    void on(ReservationReleased event) {
        held = event.heldAfter().nanos();
        OpenHold hold = holds.remove(event.holdId());
        if (event.expired() && hold != null) {
            lapsed.put(event.holdId(), new LapsedHold(hold, event.at()));
        }
        // Forget what lapsed longer ago than MEMORY, in the events' own time, so that a replay forgets the same.
        Instant forgetBefore = event.at().minus(MEMORY);
        lapsed.values().removeIf(l -> l.at().isBefore(forgetBefore));
    }

    @EventSourcingHandler
    void on(BudgetSet event) {
        budget = event.budget();
    }

    @EventSourcingHandler
    void on(AccountClosed event) {
        open = false;
    }

    @EventSourcingHandler
    void on(TransferSent event) {
        forgetBefore(event.at());
        balance = event.balanceAfter().nanos();
        outgoing.put(event.transferId(), new OutgoingTransfer(event.to(), event.amount().nanos(), event.at()));
        remember(event.intent(), event.transferId(), event.at());
    }

    @EventSourcingHandler
    void on(TransferReceived event) {
        forgetBefore(event.at());
        balance = event.balanceAfter().nanos();
        remembered.put(transferKey(event.transferId()),
                new Remembered(null, event.transferId(), event.balanceAfter().nanos(), event.at()));
    }

    @EventSourcingHandler
    void on(TransferDeclined event) {
        forgetBefore(event.at());
        remembered.put(transferKey(event.transferId()),
                new Remembered(null, event.transferId(), balance, event.at()));
    }

    @EventSourcingHandler
    void on(TransferRefunded event) {
        forgetBefore(event.at());
        balance = event.balanceAfter().nanos();
        outgoing.remove(event.transferId());
        remembered.put(refundKey(event.transferId()),
                new Remembered(null, event.transferId(), event.balanceAfter().nanos(), event.at()));
    }

    // ---- rules ----

    /**
     * Spend is what charges collected, counted in the UTC day and month of the settlement. A charge dated before the
     * latest counted day (a node whose clock is behind) belongs to a period already past and is not counted in it.
     */
    private void countSpend(long collected, Instant at) {
        if (collected <= 0) {
            return;
        }
        long day = epochDay(at);
        if (day > spendDay) {
            spendDay = day;
            spentOnDay = 0;
        }
        if (day == spendDay) {
            spentOnDay = saturatedAdd(spentOnDay, collected);
        }
        long month = monthOf(day);
        if (month > spendMonth) {
            spendMonth = month;
            spentInMonth = 0;
        }
        if (month == spendMonth) {
            spentInMonth = saturatedAdd(spentInMonth, collected);
        }
    }

    private long spentOn(long day) {
        return day == spendDay ? spentOnDay : 0;
    }

    private long spentIn(long month) {
        return month == spendMonth ? spentInMonth : 0;
    }

    Budget budget() {
        return budget == null ? Budget.NONE : budget;
    }

    /**
     * With a hard stop, a hold is placed only if what the period has spent, plus every open hold, plus this hold
     * stays within the limit: each hold is the call's upper bound, so the settled charges cannot pass the limit
     * however many calls run at once (except a charge above its own hold, ADR 7).
     */
    private void requireWithinBudget(Money amount, Instant at) {
        Budget current = budget();
        if (!current.hardStop()) {
            return;
        }
        long day = epochDay(at);
        requireWithin(current.dailyLimit(), spentOn(day), "daily", amount);
        requireWithin(current.monthlyLimit(), spentIn(monthOf(day)), "monthly", amount);
    }

    private void requireWithin(Money limit, long spent, String period, Money amount) {
        if (limit == null) {
            return;
        }
        if (saturatedAdd(saturatedAdd(spent, held), amount.nanos()) > limit.nanos()) {
            throw new BudgetExceededException("the " + period + " budget of " + limit.toUsdString()
                    + " USD does not cover this call: " + new Money(spent).toUsdString() + " USD spent, "
                    + new Money(held).toUsdString() + " USD held by calls in progress, and this call may cost up to "
                    + amount.toUsdString() + " USD");
        }
    }

    /**
     * A key or member with a cap places a hold only if what its calls collected, plus its open holds, plus this hold
     * stay within the cap: the same upper-bound argument as the hard stop of a budget, per spender.
     */
    private static void requireWithinCap(String what, Money cap, long spent, long heldBySpender, Money amount) {
        if (saturatedAdd(saturatedAdd(spent, heldBySpender), amount.nanos()) > cap.nanos()) {
            throw new BudgetExceededException(what + " of " + cap.toUsdString() + " USD does not cover this call: "
                    + new Money(spent).toUsdString() + " USD spent, " + new Money(heldBySpender).toUsdString()
                    + " USD held by calls in progress, and this call may cost up to " + amount.toUsdString() + " USD");
        }
    }

    private static long spent(Map<String, Long> spentBy, String spender) {
        return spender == null ? 0 : spentBy.getOrDefault(spender, 0L);
    }

    private long heldBy(Function<OpenHold, String> spenderOf, String spender) {
        long sum = 0;
        if (spender != null) {
            for (OpenHold hold : holds.values()) {
                if (spender.equals(spenderOf.apply(hold))) {
                    sum = saturatedAdd(sum, hold.amount());
                }
            }
        }
        return sum;
    }

    /** What each key and each member spent and holds now, for those that made calls. */
    Spending spending() {
        return new Spending(id, spentBy(spentByKey, OpenHold::apiKeyId), spentBy(spentByMember, OpenHold::memberId));
    }

    private Map<String, Spending.Spent> spentBy(Map<String, Long> spentBy, Function<OpenHold, String> spenderOf) {
        Map<String, Long> heldBySpender = new LinkedHashMap<>();
        for (OpenHold hold : holds.values()) {
            String spender = spenderOf.apply(hold);
            if (spender != null) {
                heldBySpender.merge(spender, hold.amount(), UserAccount::saturatedAdd);
            }
        }
        Map<String, Spending.Spent> all = new LinkedHashMap<>();
        spentBy.forEach((spender, nanos) -> all.put(spender, new Spending.Spent(new Money(nanos),
                new Money(heldBySpender.getOrDefault(spender, 0L)))));
        heldBySpender.forEach((spender, nanos) -> all.putIfAbsent(spender, new Spending.Spent(Money.ZERO,
                new Money(nanos))));
        return all;
    }

    /** The alerts a charge raises: each threshold of a limit that the spend reaches with this charge. */
    private List<BudgetThresholdCrossed> thresholdsCrossedBy(long collected, String holdId, Instant at) {
        List<BudgetThresholdCrossed> crossed = new ArrayList<>();
        Budget current = budget();
        if (collected <= 0 || !current.hasLimit()) {
            return crossed;
        }
        long day = epochDay(at);
        if (day >= spendDay) {
            crossings(crossed, BudgetThresholdCrossed.DAILY, LocalDate.ofEpochDay(day).toString(),
                    current.dailyLimit(), spentOn(day), collected, holdId, at);
        }
        long month = monthOf(day);
        if (month >= spendMonth) {
            crossings(crossed, BudgetThresholdCrossed.MONTHLY, LocalDate.ofEpochDay(day).toString().substring(0, 7),
                    current.monthlyLimit(), spentIn(month), collected, holdId, at);
        }
        return crossed;
    }

    private void crossings(List<BudgetThresholdCrossed> into, String period, String periodStart, Money limit,
                           long before, long collected, String holdId, Instant at) {
        if (limit == null) {
            return;
        }
        long after = saturatedAdd(before, collected);
        for (int percent : budget().thresholdsPercent()) {
            long mark = thresholdAmount(limit.nanos(), percent);
            if (before < mark && after >= mark) {
                into.add(new BudgetThresholdCrossed(id, period, periodStart, percent, limit, new Money(after),
                        holdId, at));
            }
        }
    }

    private List<Integer> crossedAt(Money limit, long spent) {
        if (limit == null || spent <= 0) {
            return List.of();
        }
        return budget().thresholdsPercent().stream()
                .filter(percent -> spent >= thresholdAmount(limit.nanos(), percent))
                .toList();
    }

    BudgetStatus budgetStatus(Instant at) {
        long day = epochDay(at);
        long today = spentOn(day);
        long thisMonth = spentIn(monthOf(day));
        Budget current = budget();
        return new BudgetStatus(current, new Money(today), new Money(thisMonth), new Money(held),
                crossedAt(current.dailyLimit(), today), crossedAt(current.monthlyLimit(), thisMonth));
    }

    private static Budget valid(Budget budget) {
        if (budget == null) {
            throw new InvalidCommandException("a budget is required");
        }
        for (Money limit : new Money[] {budget.dailyLimit(), budget.monthlyLimit()}) {
            if (limit != null && limit.isNegative()) {
                throw new InvalidCommandException("a budget limit cannot be negative");
            }
        }
        List<Integer> thresholds = budget.thresholdsPercent();
        if (thresholds.size() > 10) {
            throw new InvalidCommandException("at most 10 alert thresholds");
        }
        if (new HashSet<>(thresholds).size() != thresholds.size()) {
            throw new InvalidCommandException("alert thresholds must be different from each other");
        }
        for (Integer percent : thresholds) {
            if (percent == null || percent < 1 || percent > 100) {
                throw new InvalidCommandException("alert thresholds are whole percentages from 1 to 100");
            }
        }
        return new Budget(budget.dailyLimit(), budget.monthlyLimit(), thresholds.stream().sorted().toList(),
                budget.hardStop());
    }

    /** ceil(limit × percent / 100) in whole nano-dollars, without overflow: limit = 100q + r. */
    static long thresholdAmount(long limit, int percent) {
        long q = limit / 100;
        long r = limit % 100;
        return q * percent + (r * percent + 99) / 100;
    }

    private static long epochDay(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), 86_400L);
    }

    private static long monthOf(long epochDay) {
        LocalDate date = LocalDate.ofEpochDay(epochDay);
        return date.getYear() * 12L + date.getMonthValue() - 1;
    }

    /** Spend counters only grow within a period; at the top of a long they stop rather than wrap. */
    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    AccountState state() {
        return new AccountState(id, new Money(balance), new Money(held), open);
    }

    private LedgerReceipt replayOf(Intent intent) {
        if (intent == null || !intent.hasKey()) {
            return null;
        }
        Remembered first = remembered.get(intentKey(intent));
        if (first == null) {
            return null;
        }
        if (!first.fingerprint().equals(intent.fingerprint())) {
            throw new IdempotencyConflictException(
                    "this Idempotency-Key was already used with a different request");
        }
        return first.receipt().asReplay();
    }

    private void remember(Intent intent, String entryId, Instant at) {
        if (intent != null && intent.hasKey()) {
            remembered.put(intentKey(intent), new Remembered(intent.fingerprint(), entryId, balance, at));
        }
    }

    /** Drops memories older than {@link #MEMORY}; driven by event time, so a replay forgets exactly the same. */
    private void forgetBefore(Instant now) {
        Instant horizon = now.minus(MEMORY);
        dropOlder(remembered, horizon);
        for (Iterator<OutgoingTransfer> it = outgoing.values().iterator(); it.hasNext(); ) {
            if (it.next().at().isBefore(horizon)) {
                it.remove();
            } else {
                break;
            }
        }
    }

    private static void dropOlder(Map<String, Remembered> memories, Instant horizon) {
        for (Iterator<Remembered> it = memories.values().iterator(); it.hasNext(); ) {
            if (it.next().at().isBefore(horizon)) {
                it.remove();
            } else {
                break;
            }
        }
    }

    private void requireOpen() {
        if (!open) {
            throw new AccountClosedException("account " + id + " is closed");
        }
    }

    private static void requirePositive(Money amount) {
        if (amount == null || !amount.isPositive()) {
            throw new InvalidCommandException("amount must be greater than zero");
        }
    }

    private void requireAvailable(Money amount) {
        if (balance - held < amount.nanos()) {
            throw new InsufficientFundsException("the available balance (" + new Money(balance - held).toUsdString()
                    + " USD) does not cover " + amount.toUsdString() + " USD");
        }
    }

    private static long addWithoutOverflow(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException overflow) {
            throw new InvalidCommandException("the balance would exceed the largest amount the ledger can hold");
        }
    }

    private static Intent intentOrNone(Intent intent) {
        return intent == null ? Intent.NONE : intent;
    }

    private static String intentKey(Intent intent) {
        return "key:" + intent.key().value();
    }

    private static String transferKey(String transferId) {
        return "in:" + transferId;
    }

    private static String refundKey(String transferId) {
        return "refund:" + transferId;
    }

    /** A hold that is neither settled nor released yet. */
    record OpenHold(long amount, String requestId, Instant expiresAt, String apiKeyId, String memberId) {
    }

    /** A hold its deadline released, and when. */
    record LapsedHold(OpenHold hold, Instant at) {
    }

    /** A transfer this account sent that may still be refunded. */
    record OutgoingTransfer(AccountId to, long amount, Instant at) {
    }

    /** The first answer to an intent, kept to answer its retries. */
    record Remembered(String fingerprint, String entryId, long balanceAfter, Instant at) {
        LedgerReceipt receipt() {
            return new LedgerReceipt(entryId, new Money(balanceAfter), false);
        }
    }
}
