package dev.tollgate.web.ledger;

import dev.tollgate.domain.transfer.CreditedTransfers;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Transfers whose request is crediting the receiver itself on this node (ADR 20), told to the transfer process so
 * that it waits for that credit instead of sending the same one again (ADR 34). An entry leaves when the process
 * asks for it, or at once when the request's credit did not store anything. One never asked for (the process ran
 * on another node) would stay, so the map is bounded: past the bound, finished entries are dropped and new
 * transfers are not tracked, which only costs the process a credit that the receiver absorbs as a repeat.
 */
@Component
public class AnsweredTransfers implements CreditedTransfers {
    static final int MOST = 100_000;
    private static final CompletableFuture<Boolean> UNKNOWN = CompletableFuture.completedFuture(false);

    private final Map<String, CompletableFuture<Boolean>> crediting = new ConcurrentHashMap<>();

    /** The request's credit of one transfer, begun before the sender is debited. */
    public final class Crediting {
        private final String transferId;
        private final CompletableFuture<Boolean> stored;

        private Crediting(String transferId, CompletableFuture<Boolean> stored) {
            this.transferId = transferId;
            this.stored = stored;
        }

        /**
         * Called once, after the request's last command: true only if it stored the receiver's answer. Must come
         * before the request waits for the transfer's outcome, which for a decline is the process's refund.
         */
        void finished(boolean answerStored) {
            if (!answerStored) {
                crediting.remove(transferId, stored);
            }
            stored.complete(answerStored);
        }
    }

    Crediting begin(String transferId) {
        CompletableFuture<Boolean> stored = new CompletableFuture<>();
        if (crediting.size() >= MOST) {
            crediting.values().removeIf(CompletableFuture::isDone);
        }
        if (crediting.size() < MOST) {
            crediting.put(transferId, stored);
        }
        return new Crediting(transferId, stored);
    }

    @Override
    public CompletionStage<Boolean> answered(String transferId) {
        CompletableFuture<Boolean> stored = crediting.remove(transferId);
        return stored == null ? UNKNOWN.copy() : stored.copy();
    }

    /** Transfers still tracked: under way, or finished but not yet asked for by the process. */
    public int tracked() {
        return crediting.size();
    }
}
