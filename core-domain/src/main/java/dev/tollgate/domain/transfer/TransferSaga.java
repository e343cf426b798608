package dev.tollgate.domain.transfer;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.Timestamp;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.saga.EndSaga;
import org.axonframework.modelling.saga.SagaEventHandler;
import org.axonframework.modelling.saga.StartSaga;
import org.axonframework.spring.stereotype.Saga;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The transfer between two accounts: the sender was debited ({@link TransferSent}); credit the receiver; if the
 * receiver declines, refund the sender. Until one of those happens the money is in flight, and the ledger
 * check counts it as such. Commands are sent in the saga's own unit of work, so the receiver's events, the
 * saga's state and the processor's token commit together.
 */
@Saga
@JsonAutoDetect(fieldVisibility = Visibility.ANY, getterVisibility = Visibility.NONE,
        isGetterVisibility = Visibility.NONE)
public class TransferSaga {

    private String transferId;
    private AccountId from;
    private AccountId to;
    private Money amount;

    @Autowired
    private transient CommandGateway commandGateway;

    @StartSaga
    @SagaEventHandler(associationProperty = "transferId")
    public void on(TransferSent sent, @Timestamp java.time.Instant at) {
        transferId = sent.transferId();
        from = sent.from();
        to = sent.to();
        amount = sent.amount();
        try {
            commandGateway.sendAndWait(new ReceiveTransfer(to, transferId, from, amount, sent.note(), at));
        } catch (RuntimeException failure) {
            if (!receiverDoesNotExist(failure)) {
                throw failure;
            }
            // An account that was never opened cannot accept the money either: refund the sender, as for a
            // decline. Otherwise the sender stays debited and the money stays in flight for ever.
            commandGateway.sendAndWait(new RefundTransfer(from, transferId, "no such account", at));
        }
    }

    private static boolean receiverDoesNotExist(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AggregateNotFoundException) {
                return true;
            }
        }
        return false;
    }

    @SagaEventHandler(associationProperty = "transferId")
    public void on(TransferDeclined declined, @Timestamp java.time.Instant at) {
        commandGateway.sendAndWait(new RefundTransfer(from, transferId, declined.reason(), at));
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "transferId")
    public void on(TransferReceived received) {
        // The money arrived: the transfer is complete.
    }

    @EndSaga
    @SagaEventHandler(associationProperty = "transferId")
    public void on(TransferRefunded refunded) {
        // The money went home: the transfer is complete.
    }

    void setCommandGateway(CommandGateway commandGateway) {
        this.commandGateway = commandGateway;
    }
}
