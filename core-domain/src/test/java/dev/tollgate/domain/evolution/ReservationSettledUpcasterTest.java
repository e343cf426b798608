package dev.tollgate.domain.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.axonframework.serialization.upcasting.event.InitialEventRepresentation;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.junit.jupiter.api.Test;

/**
 * ReservationSettled revisions 1 and 2, exactly as they were written, read as today's revision 3: a token-only charge
 * for revision 1, and a complete (not partial) call for both, whichever order the upcasters run in.
 */
class ReservationSettledUpcasterTest {
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(new ObjectMapper().findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
            .build();

    /** The bytes revision 1 wrote: the charge has no units. */
    private static final String REVISION_ONE = "{\"accountId\":{\"value\":\"alice\"},\"holdId\":\"hold_req_1\","
            + "\"charge\":{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"inputTokens\":136,\"outputTokens\":10,"
            + "\"tokenSource\":\"PROVIDER\",\"inputPricePerMillion\":{\"nanos\":282000000},"
            + "\"outputPricePerMillion\":{\"nanos\":827000000},\"cost\":{\"nanos\":46622},\"requestId\":\"req_1\"},"
            + "\"collected\":{\"nanos\":46622},\"released\":{\"nanos\":100},\"balanceAfter\":{\"nanos\":953378},"
            + "\"heldAfter\":{\"nanos\":0},\"at\":\"2026-11-01T10:00:00Z\"}";

    @Test
    void aRevisionOneSettlementIsReadAsATokenOnlyCharge() {
        // given the stored bytes of a revision-1 settlement
        DomainEventData<byte[]> entry = stored("1", REVISION_ONE);

        // when it is read through the upcaster chain, in either order
        for (EventUpcasterChain chain : chains()) {
            IntermediateEventRepresentation read = readThrough(chain, entry);

            // then it is revision 3, with the same charge, no units, and written as not partial
            assertThat(read.getType()).isEqualTo(new SimpleSerializedType(ReservationSettled.class.getName(), "3"));
            assertThat(read.getData(JsonNode.class).getData().get("partial").isBoolean()).isTrue();
            ReservationSettled event = SERIALIZER.deserialize(read.getData());
            assertThat(event.partial()).isFalse();
            assertThat(event.charge().units()).isEmpty();
            assertThat(event.charge().cost()).isEqualTo(Money.ofNanos(46_622));
            assertThat(event.charge().tokenSource()).isEqualTo(TokenSource.PROVIDER);
            assertThat(event.collected()).isEqualTo(Money.ofNanos(46_622));
        }
    }

    @Test
    void aRevisionTwoSettlementKeepsItsUnitsAndIsReadAsComplete() {
        // given a revision-2 settlement priced on steps
        DomainEventData<byte[]> entry = stored("2", REVISION_ONE.replace("\"requestId\":\"req_1\"}",
                "\"requestId\":\"req_1\",\"units\":[{\"unit\":\"step\",\"quantity\":4,\"price\":{\"nanos\":105600},"
                        + "\"per\":1}]}"));

        // when it is read through the upcaster chain, in either order, then it is revision 3 with its units
        for (EventUpcasterChain chain : chains()) {
            IntermediateEventRepresentation read = readThrough(chain, entry);
            assertThat(read.getType()).isEqualTo(new SimpleSerializedType(ReservationSettled.class.getName(), "3"));
            ReservationSettled event = SERIALIZER.deserialize(read.getData());
            assertThat(event.charge().units()).containsExactly(new ChargedUnits("step", 4, Money.ofNanos(105_600), 1));
            assertThat(event.partial()).isFalse();
        }
    }

    @Test
    void aRevisionThreeSettlementIsReadAsWritten() {
        // given a partial settlement written today
        DomainEventData<byte[]> entry = stored("3", REVISION_ONE
                .replace("\"requestId\":\"req_1\"}", "\"requestId\":\"req_1\",\"units\":[]}")
                .replace("\"at\":\"2026-11-01T10:00:00Z\"}", "\"at\":\"2026-11-01T10:00:00Z\",\"partial\":true}"));

        // when it is read through both upcasters, then neither touches it
        for (EventUpcasterChain chain : chains()) {
            ReservationSettled event = SERIALIZER.deserialize(readThrough(chain, entry).getData());
            assertThat(event.partial()).isTrue();
        }
    }

    private static DomainEventData<byte[]> stored(String revision, String payload) {
        return new GenericDomainEventEntry<>("UserAccount", "alice", 3, "evt-" + revision,
                Instant.parse("2026-11-01T10:00:00Z"), ReservationSettled.class.getName(), revision,
                payload.getBytes(StandardCharsets.UTF_8), "{}".getBytes());
    }

    private static IntermediateEventRepresentation readThrough(EventUpcasterChain chain, DomainEventData<byte[]> entry) {
        return chain.upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER))).toList().get(0);
    }

    /** Both orders: Spring hands Axon the upcaster beans in an order this project does not set. */
    private static List<EventUpcasterChain> chains() {
        return List.of(new EventUpcasterChain(new ReservationSettledUpcaster(), new ReservationSettledPartialUpcaster()),
                new EventUpcasterChain(new ReservationSettledPartialUpcaster(), new ReservationSettledUpcaster()));
    }
}
