package dev.tollgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.AccountClosed;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import dev.tollgate.api.account.AccountState;
import dev.tollgate.api.account.CreditsDeducted;
import dev.tollgate.api.account.CreditsDeposited;
import dev.tollgate.api.account.CreditsReserved;
import dev.tollgate.api.account.IdempotencyKey;
import dev.tollgate.api.account.Intent;
import dev.tollgate.api.account.LedgerEvent;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.ReservationReleased;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.transfer.TransferDeclined;
import dev.tollgate.api.transfer.TransferReceived;
import dev.tollgate.api.transfer.TransferRefunded;
import dev.tollgate.api.transfer.TransferSent;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.axonframework.serialization.Revision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events are forever and are stored as JSON (the XStream default cannot read records back, DESIGN "Axon
 * know-how"): every event must come back from JSON equal to what was written, with a plain ObjectMapper and
 * no hand-written mix-ins, and must carry a {@link Revision} so that upcasters have something to key on.
 */
class EventSerializationTest {

    /** jackson-datatype-jsr310 is on the test classpath, so findAndRegisterModules() picks up JavaTimeModule. */
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private static final Instant AT = Instant.parse("2026-11-23T10:15:30.123456789Z");
    private static final AccountId ALICE = AccountId.of("alice");
    private static final AccountId BOB = AccountId.of("bob");
    private static final Intent KEYED = new Intent(new IdempotencyKey("k-123"), "sha256:abc");

    /** Every event record, listed explicitly: adding an event means adding it here. */
    static final List<Class<? extends LedgerEvent>> EVENT_TYPES = List.of(
            AccountOpened.class, CreditsDeposited.class, CreditsDeducted.class, CreditsReserved.class,
            ReservationSettled.class, ReservationReleased.class, AccountClosed.class, TransferSent.class,
            TransferReceived.class, TransferDeclined.class, TransferRefunded.class);

    static Stream<LedgerEvent> oneOfEachEvent() {
        Charge charge = new Charge("@cf/meta/llama-3.1-8b-instruct", 1200, 350, TokenSource.PROVIDER,
                Money.ofNanos(282_000_000L), Money.ofNanos(827_000_000L), Money.ofNanos(628_850L), "req-42");
        return Stream.of(
                new AccountOpened(ALICE, AccountKind.USER, AT),
                new CreditsDeposited(ALICE, "dep-1", Money.parsePositiveUsd("12.5"),
                        Money.parsePositiveUsd("12.5"), "welcome credit", "admin", KEYED, AT),
                new CreditsDeposited(ALICE, "dep-2", Money.ofNanos(1), Money.ofNanos(2), null, "admin",
                        Intent.NONE, AT),
                new CreditsDeducted(ALICE, "ded-1", Money.ofNanos(5), Money.ofNanos(Long.MAX_VALUE), "refund fee",
                        "admin", KEYED, AT),
                new CreditsReserved(ALICE, "hold-1", Money.ofNanos(10_000), Money.ofNanos(10_000), "req-42",
                        AT.plusSeconds(300), AT),
                new ReservationSettled(ALICE, "hold-1", charge, Money.ofNanos(628_850L), Money.ofNanos(9_371_150L),
                        Money.ofNanos(12_499_371_150L), Money.ZERO, AT),
                new ReservationSettled(ALICE, "hold-3", new Charge("@cf/black-forest-labs/flux-1-schnell", 0, 0,
                        TokenSource.PROVIDER, Money.ZERO, Money.ZERO, Money.ofNanos(633_600L), "req-43",
                        List.of(new ChargedUnits("image_tile", 4, Money.ofNanos(52_800L), 1),
                                new ChargedUnits("step", 4, Money.ofNanos(105_600L), 1))),
                        Money.ofNanos(633_600L), Money.ZERO, Money.ofNanos(1), Money.ZERO, AT),
                new ReservationReleased(ALICE, "hold-2", Money.ofNanos(7), Money.ZERO, "deadline", true, AT),
                new AccountClosed(ALICE, "user asked", AT),
                new TransferSent(ALICE, "t-1", BOB, Money.ofUsd(2), Money.ofNanos(1), "lunch", KEYED, AT),
                new TransferReceived(BOB, "t-1", ALICE, Money.ofUsd(2), Money.ofUsd(2), "lunch", AT),
                new TransferDeclined(BOB, "t-2", ALICE, Money.ofUsd(2), "account closed", AT),
                new TransferRefunded(ALICE, "t-2", BOB, Money.ofUsd(2), Money.ofUsd(3), "account closed", AT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneOfEachEvent")
    void everyEventComesBackFromJsonEqualToWhatWasWritten(LedgerEvent event) throws Exception {
        // given an event as it will be appended to the store
        // when it is written as JSON and read back as its own type
        String json = JSON.writeValueAsString(event);
        Object back = JSON.readValue(json, event.getClass());
        // then it is the same event, down to the nanosecond of its time and the nano-dollar of its amounts
        assertThat(back).as(json).isEqualTo(event);
        assertThat(((LedgerEvent) back).at()).isEqualTo(AT);
    }

    @Test
    void everyEventTypeIsCoveredByTheRoundTrip() {
        // A new event that is not in oneOfEachEvent() would silently escape the round trip above.
        assertThat(oneOfEachEvent().map(Object::getClass).distinct())
                .containsExactlyInAnyOrderElementsOf(EVENT_TYPES);
    }

    @Test
    void everyEventCarriesARevision() {
        // given the released event types
        // then each names its revision, so a later change can be upcast instead of editing history
        assertThat(EVENT_TYPES).allSatisfy(type -> {
            Revision revision = type.getAnnotation(Revision.class);
            assertThat(revision).as(type.getSimpleName() + " has @Revision").isNotNull();
            assertThat(revision.value()).as(type.getSimpleName()).isNotBlank();
        });
    }

    @Test
    void everyEventIsARecord() {
        // Records give value equality, which the round trip and the aggregate tests rely on.
        assertThat(EVENT_TYPES).allSatisfy(type -> assertThat(type.isRecord()).as(type.getSimpleName()).isTrue());
    }

    @Test
    void moneyIsWrittenAsItsNanoCountSoNoFloatingPointIsInvolved() throws Exception {
        // given an amount that a double cannot hold exactly
        Money money = Money.ofNanos(Long.MAX_VALUE);
        // when written and read back
        String json = JSON.writeValueAsString(money);
        // then the exact long is the only thing in the JSON (no derived "positive"/"zero" flags frozen into
        // history) and comes back unchanged
        assertThat(json).isEqualTo("{\"nanos\":9223372036854775807}");
        assertThat(JSON.readValue(json, Money.class)).isEqualTo(money);
    }

    @Test
    void anAccountIdIsWrittenAsItsValueOnly() throws Exception {
        // isSystemAccount() is derived from the value; written into events it would be history that can go stale.
        String json = JSON.writeValueAsString(AccountId.FUNDING);
        assertThat(json).isEqualTo("{\"value\":\"funding\"}");
        assertThat(JSON.readValue(json, AccountId.class)).isEqualTo(AccountId.FUNDING);
    }

    @Test
    void commandAnswersComeBackFromJsonToo() throws Exception {
        // Receipts and account states travel back to a caller (possibly across nodes) as command results.
        LedgerReceipt receipt = new LedgerReceipt("dep-1", Money.ofNanos(42), true);
        AccountState state = new AccountState(ALICE, Money.ofNanos(42), Money.ofNanos(2), true);
        assertThat(JSON.readValue(JSON.writeValueAsString(receipt), LedgerReceipt.class)).isEqualTo(receipt);
        assertThat(JSON.readValue(JSON.writeValueAsString(state), AccountState.class)).isEqualTo(state);
    }
}
