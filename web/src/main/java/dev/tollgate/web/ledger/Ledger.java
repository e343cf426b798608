package dev.tollgate.web.ledger;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.DeductCredits;
import dev.tollgate.api.account.DepositCredits;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.OpenAccount;
import dev.tollgate.api.account.ReadSpending;
import dev.tollgate.api.account.Spending;
import dev.tollgate.api.account.ReadAccountState;
import dev.tollgate.api.budget.BudgetStatus;
import dev.tollgate.api.budget.ReadBudget;
import dev.tollgate.api.budget.ChangeBudget;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReadTransferRefund;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.SendTransfer;
import dev.tollgate.web.config.TollgateProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.CompletableFuture;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.stereotype.Component;

/**
 * The web side's door to the ledger. It stamps ids and time (aggregates never read the clock), fingerprints
 * requests for idempotency, and answers with what the aggregate decided — never with a read model.
 */
@Component
public class Ledger {
    private final CommandGateway commands;
    private static final Logger log = LoggerFactory.getLogger(Ledger.class);

    private final TransferOutcomes outcomes;
    private final Clock clock;
    private final TollgateProperties properties;
    private final AnsweredTransfers answered;

    public Ledger(CommandGateway commands, TransferOutcomes outcomes, Clock clock, TollgateProperties properties,
                  AnsweredTransfers answered) {
        this.commands = commands;
        this.answered = answered;
        this.outcomes = outcomes;
        this.clock = clock;
        this.properties = properties;
    }

    public void open(AccountId account) {
        commands.sendAndWait(new OpenAccount(account, clock.instant()));
    }

    public void openTeam(AccountId account) {
        commands.sendAndWait(new OpenAccount(account, AccountKind.TEAM, clock.instant()));
    }

    /** What each API key and member spent and hold on the account, from the aggregate (what caps are checked on). */
    public Spending spending(AccountId account) {
        return commands.sendAndWait(new ReadSpending(account));
    }

    public AccountState state(AccountId account) {
        return commands.sendAndWait(new ReadAccountState(account));
    }

    /** The budget and what the account has spent today and this month, from the aggregate (exact, no lag). */
    public BudgetStatus budget(AccountId account) {
        return commands.sendAndWait(new ReadBudget(account, clock.instant()));
    }

    /** Changes the parts of the budget that {@code change} names, on the account's current budget. */
    public BudgetStatus changeBudget(ChangeBudget change) {
        return commands.sendAndWait(change);
    }

    public Instant now() {
        return clock.instant();
    }

    public LedgerReceipt deposit(AccountId account, Money amount, String note, String actor, IdempotencyKey key) {
        Intent intent = Intent.of(key, Fingerprint.of("deposit", account, amount.nanos(), note));
        return commands.sendAndWait(new DepositCredits(account, newId("dep"), amount, note, actor, intent,
                clock.instant()));
    }

    public LedgerReceipt deduct(AccountId account, Money amount, String note, String actor, IdempotencyKey key) {
        Intent intent = Intent.of(key, Fingerprint.of("deduct", account, amount.nanos(), note));
        return commands.sendAndWait(new DeductCredits(account, newId("ded"), amount, note, actor, intent,
                clock.instant()));
    }

    /** A transfer's id, how it ended as far as this request knows, and the sender's balance after it. */
    public record TransferResult(String transferId, TransferOutcomes.Outcome outcome, Money balanceAfter) {
    }

    /**
     * Debits the sender and waits a moment for the transfer process to credit the receiver. A retry with the
     * same idempotency key returns the first transfer's id without moving money again, and a refunded transfer's
     * retry says so, with the balance its refund left, as the first answer did.
     */
    public TransferResult transfer(AccountId from, AccountId to, Money amount, String note, IdempotencyKey key) {
        Intent intent = Intent.of(key, Fingerprint.of("transfer", from, to, amount.nanos(), note));
        String transferId = newId("trf");
        // Begun before the debit, so that the process, seeing the debit, waits for this request's credit.
        AnsweredTransfers.Crediting crediting = answered.begin(transferId);
        CompletableFuture<TransferOutcomes.Heard> outcome = outcomes.expect(transferId);
        LedgerReceipt receipt;
        boolean answerStored = false;
        try {
            Instant at = clock.instant();
            try {
                receipt = commands.sendAndWait(new SendTransfer(from, transferId, to, amount, note, intent, at));
            } catch (RuntimeException rejected) {
                outcomes.forget(transferId);
                throw rejected;
            }
            if (receipt.replayed()) {
                outcomes.forget(transferId);
                LedgerReceipt refund = commands.sendAndWait(new ReadTransferRefund(from, receipt.entryId()));
                return refund == null
                        ? new TransferResult(receipt.entryId(), TransferOutcomes.Outcome.COMPLETED, receipt.balanceAfter())
                        : new TransferResult(receipt.entryId(), TransferOutcomes.Outcome.REFUNDED, refund.balanceAfter());
            }
            answerStored = creditNow(to, transferId, from, amount, note, at);
        } finally {
            // Before the wait below: for a decline, the outcome is the process's refund, and the process waits on this.
            crediting.finished(answerStored);
        }
        TransferOutcomes.Heard heard = outcomes.await(transferId, outcome, properties.transferWait());
        return new TransferResult(transferId, heard.outcome(),
                heard.refundedBalance() != null ? heard.refundedBalance() : receipt.balanceAfter());
    }

    /**
     * The short way: credit the receiver from this request, so the answer does not wait for the transfer process
     * (which may run on another node, whose events this node's subscribers never see). The process still credits
     * from the TransferSent event, unless this node's request stored the credit first (ADR 34); the receiver
     * remembers the transfer id, so whichever comes second is a replay. If this fails (a conflict that outlived its
     * retries, an account never opened), the process is the backstop. True when this request stored the receiver's
     * answer.
     */
    private boolean creditNow(AccountId to, String transferId, AccountId from, Money amount, String note,
                              Instant at) {
        try {
            LedgerReceipt credited = commands.sendAndWait(new ReceiveTransfer(to, transferId, from, amount, note, at));
            if (!credited.replayed()) {
                return true;
            }
            if (stillOpen(to)) {
                // The process (perhaps on another node) credited it first; its event was not published here.
                // A closed receiver declined it instead, and the answer waits for the refund as before.
                outcomes.received(transferId);
            }
        } catch (RuntimeException leftToTheProcess) {
            log.debug("transfer {} left to the transfer process: {}", transferId, leftToTheProcess.toString());
        }
        return false;
    }

    private boolean stillOpen(AccountId account) {
        AccountState state = commands.sendAndWait(new ReadAccountState(account));
        return state.open();
    }

    private static String newId(String kind) {
        return kind + "_" + UUID.randomUUID().toString().replace("-", "");
    }
}
