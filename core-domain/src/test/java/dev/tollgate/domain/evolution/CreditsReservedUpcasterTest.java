package dev.tollgate.domain.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.CreditsReserved;
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

/** CreditsReserved revision 1, exactly as it was written before keys were named on holds, reads as no key's hold. */
class CreditsReservedUpcasterTest {
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(new ObjectMapper().findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
            .build();

    /** Read through both upcasters, in both orders: Spring hands Axon the beans in an order this project does not set. */
    private static List<IntermediateEventRepresentation> read(String revision, byte[] stored) {
        DomainEventData<byte[]> entry = new GenericDomainEventEntry<>("UserAccount", "alice", 3, "evt-1",
                Instant.parse("2026-11-01T10:00:00Z"), CreditsReserved.class.getName(), revision, stored,
                "{}".getBytes());
        List<IntermediateEventRepresentation> oneWay = new EventUpcasterChain(new CreditsReservedUpcaster(),
                new CreditsReservedModelUpcaster()).upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER)))
                .toList();
        List<IntermediateEventRepresentation> otherWay = new EventUpcasterChain(new CreditsReservedModelUpcaster(),
                new CreditsReservedUpcaster()).upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER)))
                .toList();
        assertThat(otherWay.get(0).getType()).isEqualTo(oneWay.get(0).getType());
        assertThat((Object) SERIALIZER.deserialize(otherWay.get(0).getData()))
                .isEqualTo(SERIALIZER.deserialize(oneWay.get(0).getData()));
        return oneWay;
    }

    @Test
    void aRevisionOneHoldIsReadAsAHoldOfNoKeyAndNoModel() {
        // given the stored bytes of a revision-1 event, as session 2 wrote them
        byte[] stored = ("{\"accountId\":{\"value\":\"alice\"},\"holdId\":\"hold_req-1\",\"amount\":{\"nanos\":100000},"
                + "\"heldAfter\":{\"nanos\":100000},\"requestId\":\"req-1\",\"expiresAt\":\"2026-11-01T10:10:00Z\","
                + "\"at\":\"2026-11-01T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8);

        // when it is read through the upcaster chain
        List<IntermediateEventRepresentation> read = read("1", stored);

        // then it is revision 3, and the same hold with no key and no model
        assertThat(read.get(0).getType()).isEqualTo(new SimpleSerializedType(CreditsReserved.class.getName(), "3"));
        CreditsReserved event = SERIALIZER.deserialize(read.get(0).getData());
        assertThat(event).isEqualTo(new CreditsReserved(AccountId.of("alice"), "hold_req-1", Money.ofNanos(100_000),
                Money.ofNanos(100_000), "req-1", Instant.parse("2026-11-01T10:10:00Z"),
                Instant.parse("2026-11-01T10:00:00Z"), null, null, null));
    }

    @Test
    void aRevisionTwoHoldKeepsItsKeyAndHasNoModel() {
        // given a revision-2 hold, as session 7 wrote it: a key and a member, no model
        byte[] stored = ("{\"accountId\":{\"value\":\"team:t1\"},\"holdId\":\"hold_r\",\"amount\":{\"nanos\":1000000000},"
                + "\"heldAfter\":{\"nanos\":1000000000},\"requestId\":\"r\",\"expiresAt\":\"2026-11-02T10:10:00Z\","
                + "\"at\":\"2026-11-02T10:00:00Z\",\"apiKeyId\":\"key-7\",\"memberId\":\"bob\"}")
                .getBytes(StandardCharsets.UTF_8);

        // when it is read, then it is revision 3 with its key and member, and no model
        List<IntermediateEventRepresentation> read = read("2", stored);
        assertThat(read.get(0).getType()).isEqualTo(new SimpleSerializedType(CreditsReserved.class.getName(), "3"));
        CreditsReserved event = SERIALIZER.deserialize(read.get(0).getData());
        assertThat(event.apiKeyId()).isEqualTo("key-7");
        assertThat(event.memberId()).isEqualTo("bob");
        assertThat(event.model()).isNull();
    }

    @Test
    void aRevisionThreeHoldIsReadAsWritten() {
        Money one = Money.ofNanos(1_000_000_000);
        byte[] stored = SERIALIZER.serialize(new CreditsReserved(AccountId.of("alice"), "hold_r", one, one, "r",
                Instant.parse("2026-11-23T10:10:00Z"), Instant.parse("2026-11-23T10:00:00Z"), null, null,
                "@cf/meta/llama-3.1-8b-instruct"), byte[].class).getData();

        CreditsReserved event = SERIALIZER.deserialize(read("3", stored).get(0).getData());

        assertThat(event.model()).isEqualTo("@cf/meta/llama-3.1-8b-instruct");
    }
}
