package dev.tollgate.domain.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.ReceiveTransfer;
import dev.tollgate.api.transfer.RefundTransfer;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.test.saga.SagaTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The transfer process: debit (TransferSent) → credit (ReceiveTransfer) → done, or → declined → refund → done.
 * Until it is done the money is in flight; every path must end, or the ledger keeps money in flight forever.
 */
class TransferSagaTest {

    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final Instant T0 = Instant.parse("2026-03-01T09:00:00Z");
    private static final Money FOUR_USD = Money.ofUsd(4);

    private static final TransferSent SENT = new TransferSent(ALICE, "t-1", BOB, FOUR_USD, Money.ofUsd(6), "lunch",
            new Intent(new IdempotencyKey("k-1"), "fp-1"), T0);
    private static final TransferReceived RECEIVED = new TransferReceived(BOB, "t-1", ALICE, FOUR_USD, FOUR_USD,
            "lunch", T0);
    private static final TransferDeclined DECLINED = new TransferDeclined(BOB, "t-1", ALICE, FOUR_USD,
            "account closed", T0);
    private static final TransferRefunded REFUNDED = new TransferRefunded(ALICE, "t-1", BOB, FOUR_USD,
            Money.ofUsd(10), "account closed", T0);

    private SagaTestFixture<TransferSaga> fixture;

    @BeforeEach
    void setUp() {
        // The saga's CommandGateway is @Autowired; Axon's resource injectors honour @Autowired as well as @Inject,
        // and the fixture registers a CommandGateway on its recording command bus by itself.
        fixture = new SagaTestFixture<>(TransferSaga.class);
    }

    @Test
    void aSentTransferIsDeliveredToTheReceiver() {
        // given nothing yet
        fixture.givenCurrentTime(T0)
                // when the sender was debited
                .whenPublishingA(SENT)
                // then a transfer process starts for this transfer id and asks the receiver to accept the money,
                // stamped with the event's time (no clock inside the process)
                .expectSuccessfulHandlerExecution()
                .expectActiveSagas(1)
                .expectAssociationWith("transferId", "t-1")
                .expectDispatchedCommands(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0));
    }

    @Test
    void aTransferEndsWhenTheReceiverIsCredited() {
        fixture.givenCurrentTime(T0)
                .andThenAPublished(SENT)
                .whenPublishingA(RECEIVED)
                .expectActiveSagas(0)
                .expectNoDispatchedCommands();
    }

    @Test
    void aDeclinedTransferIsRefundedToTheSender() {
        // given the receiver was asked to accept t-1
        fixture.givenCurrentTime(T0)
                .andThenAPublished(SENT)
                // when it declined (a closed account)
                .whenPublishingA(DECLINED)
                // then the sender gets the money back, and the process waits for that refund
                .expectSuccessfulHandlerExecution()
                .expectDispatchedCommands(new RefundTransfer(ALICE, "t-1", "account closed", T0))
                .expectActiveSagas(1);
    }

    @Test
    void aTransferEndsWhenTheSenderIsRefunded() {
        fixture.givenCurrentTime(T0)
                .andThenAPublished(SENT)
                .andThenAPublished(DECLINED)
                .whenPublishingA(REFUNDED)
                .expectActiveSagas(0)
                .expectNoDispatchedCommands();
    }

    @Test
    void aTransferToAnAccountThatWasNeverOpenedIsRefundedToTheSender() {
        // given a receiver the command bus cannot find (no such aggregate)
        fixture.setCallbackBehavior((command, metaData) -> {
            if (command instanceof ReceiveTransfer) {
                throw new AggregateNotFoundException("bob", "The aggregate was not found in the event store");
            }
            return null;
        });
        fixture.givenCurrentTime(T0)
                // when the sender was debited
                .whenPublishingA(SENT)
                // then the credit is tried, and, as it cannot happen, the money goes home instead of staying in
                // flight; the process waits for the refund to end
                .expectSuccessfulHandlerExecution()
                .expectDispatchedCommands(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0),
                        new RefundTransfer(ALICE, "t-1", "no such account", T0))
                .expectActiveSagas(1);
    }

    @Test
    void aCreditThatFailsForAnotherReasonIsNotTurnedIntoARefund() {
        // A transient failure (say, an append conflict) must surface so that the event is handled again; refunding
        // then could pay the sender back a transfer that a retry would still have credited.
        List<Exception> handlerFailures = new ArrayList<>();
        fixture.registerListenerInvocationErrorHandler((exception, event, handler) -> handlerFailures.add(exception));
        fixture.setCallbackBehavior((command, metaData) -> {
            throw new IllegalStateException("the event store is unavailable");
        });
        fixture.givenCurrentTime(T0)
                .whenPublishingA(SENT)
                .expectDispatchedCommands(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0));
        assertThat(handlerFailures).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void eventsOfAnotherTransferDoNotTouchThisOne() {
        // Processes are associated by transfer id: t-2's credit must not end t-1's, which is still in flight.
        fixture.givenCurrentTime(T0)
                .andThenAPublished(SENT)
                .whenPublishingA(new TransferReceived(BOB, "t-2", ALICE, FOUR_USD, FOUR_USD, "other", T0))
                .expectActiveSagas(1)
                .expectAssociationWith("transferId", "t-1")
                .expectNoDispatchedCommands();
    }

    @Test
    void twoTransfersRunAsTwoProcesses() {
        fixture.givenCurrentTime(T0)
                .andThenAPublished(SENT)
                .whenPublishingA(new TransferSent(BOB, "t-2", ALICE, Money.ofUsd(1), Money.ZERO, "back", Intent.NONE,
                        T0))
                .expectActiveSagas(2)
                .expectDispatchedCommands(new ReceiveTransfer(ALICE, "t-2", BOB, Money.ofUsd(1), "back", T0));
    }

    @Test
    void theProcessStateSurvivesAJsonRoundTripWithoutItsGateway() throws Exception {
        // given a process that has started (its state is stored between events, as JSON in production)
        List<Object> sent = new ArrayList<>();
        TransferSaga saga = new TransferSaga();
        saga.setCommandGateway(recordingGateway(sent));
        saga.on(SENT, T0);
        ObjectMapper json = new ObjectMapper().findAndRegisterModules();
        // when it is written and read back
        String written = json.writeValueAsString(saga);
        TransferSaga restored = json.readValue(written, TransferSaga.class);
        // then it holds the same state, and the gateway (a transient resource) was never written
        JsonNode tree = json.readTree(written);
        assertThat(tree.fieldNames()).toIterable().containsExactlyInAnyOrder("transferId", "from", "to", "amount");
        assertThat(json.readTree(json.writeValueAsString(restored))).isEqualTo(tree);
        // and the restored process still knows whom to refund
        restored.setCommandGateway(recordingGateway(sent));
        restored.on(DECLINED, T0);
        assertThat(sent).containsExactly(new ReceiveTransfer(BOB, "t-1", ALICE, FOUR_USD, "lunch", T0),
                new RefundTransfer(ALICE, "t-1", "account closed", T0));
    }

    /** A gateway that only records what is sent through sendAndWait (all this saga uses). */
    private static CommandGateway recordingGateway(List<Object> sent) {
        return (CommandGateway) Proxy.newProxyInstance(CommandGateway.class.getClassLoader(),
                new Class<?>[] {CommandGateway.class}, (proxy, method, args) -> {
                    if (method.getName().equals("sendAndWait")) {
                        sent.add(args[0]);
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
