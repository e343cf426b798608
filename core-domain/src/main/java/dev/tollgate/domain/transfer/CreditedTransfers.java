package dev.tollgate.domain.transfer;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Transfers whose request credits the receiver itself on this node (ADR 20): the process asks here before it sends
 * the same credit, so that a credit the request stored is not sent twice. A hint, never the record: a transfer not
 * known here, or whose request's credit failed, is credited by the process as before, and the receiver's remembered
 * transfer ids still make any repeat harmless.
 */
public interface CreditedTransfers {
    /** Known nowhere: the process credits every transfer itself. */
    CreditedTransfers NONE = transferId -> CompletableFuture.completedFuture(false);

    /**
     * Completes with true once a command of this node has stored the receiver's answer (a credit or a decline),
     * false when the transfer is not known here or that command failed. Asked once per delivery of a transfer.
     */
    CompletionStage<Boolean> answered(String transferId);
}
