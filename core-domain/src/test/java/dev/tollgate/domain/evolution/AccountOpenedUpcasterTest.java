package dev.tollgate.domain.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.AccountKind;
import dev.tollgate.api.account.AccountOpened;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.serialization.SerializedType;
import org.axonframework.serialization.SimpleSerializedType;
import org.axonframework.serialization.json.JacksonSerializer;
import org.axonframework.serialization.upcasting.event.EventUpcasterChain;
import org.axonframework.serialization.upcasting.event.InitialEventRepresentation;
import org.axonframework.serialization.upcasting.event.IntermediateEventRepresentation;
import org.junit.jupiter.api.Test;

/** AccountOpened revision 1, exactly as it was written before teams existed, is read as a user's account. */
class AccountOpenedUpcasterTest {
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(new ObjectMapper().findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
            .build();

    @Test
    void aRevisionOneAccountOpenedIsReadAsAUsersAccount() {
        // given the stored bytes of a revision-1 event (no kind)
        byte[] stored = "{\"accountId\":{\"value\":\"alice\"},\"at\":\"2026-11-01T10:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8);
        DomainEventData<byte[]> entry = new GenericDomainEventEntry<>("UserAccount", "alice", 0, "evt-1",
                Instant.parse("2026-11-01T10:00:00Z"), AccountOpened.class.getName(), "1", stored, "{}".getBytes());

        // when it is read through the upcaster chain
        List<IntermediateEventRepresentation> read = new EventUpcasterChain(new AccountOpenedUpcaster())
                .upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER))).toList();

        // then it is revision 2 and deserializes into today's event, a user's account
        assertThat(read).hasSize(1);
        SerializedType type = read.get(0).getType();
        assertThat(type).isEqualTo(new SimpleSerializedType(AccountOpened.class.getName(), "2"));
        AccountOpened event = SERIALIZER.deserialize(read.get(0).getData());
        assertThat(event).isEqualTo(new AccountOpened(AccountId.of("alice"), AccountKind.USER,
                Instant.parse("2026-11-01T10:00:00Z")));
    }

    @Test
    void aRevisionTwoEventPassesUnchanged() {
        byte[] stored = SERIALIZER.serialize(new AccountOpened(AccountId.of("team-1"), AccountKind.TEAM,
                Instant.parse("2026-11-02T10:00:00Z")), byte[].class).getData();
        DomainEventData<byte[]> entry = new GenericDomainEventEntry<>("UserAccount", "team-1", 0, "evt-2",
                Instant.parse("2026-11-02T10:00:00Z"), AccountOpened.class.getName(), "2", stored, "{}".getBytes());

        List<IntermediateEventRepresentation> read = new EventUpcasterChain(new AccountOpenedUpcaster())
                .upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER))).toList();

        AccountOpened event = SERIALIZER.deserialize(read.get(0).getData());
        assertThat(event.kind()).isEqualTo(AccountKind.TEAM);
    }
}
