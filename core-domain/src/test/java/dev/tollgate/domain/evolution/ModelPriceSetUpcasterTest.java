package dev.tollgate.domain.evolution;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.pricing.ModelPriceSet;
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

/** ModelPriceSet revision 1, exactly as session 6 wrote it, reads as a token price that keeps the catalogue's units. */
class ModelPriceSetUpcasterTest {
    private static final JacksonSerializer SERIALIZER = JacksonSerializer.builder()
            .objectMapper(new ObjectMapper().findAndRegisterModules()
                    .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
            .build();

    @Test
    void aRevisionOnePriceHasNoUnits() {
        // given the stored bytes of a revision-1 event
        byte[] stored = ("{\"model\":\"@cf/meta/llama-3.1-8b-instruct\",\"inputPerMillion\":{\"nanos\":500000000},"
                + "\"outputPerMillion\":{\"nanos\":1500000000},\"effectiveAt\":\"2026-11-20T10:00:00Z\","
                + "\"actor\":\"admin:a\",\"at\":\"2026-11-20T10:00:00Z\"}").getBytes(StandardCharsets.UTF_8);
        DomainEventData<byte[]> entry = new GenericDomainEventEntry<>("PriceList", "price-book", 0, "evt-1",
                Instant.parse("2026-11-20T10:00:00Z"), ModelPriceSet.class.getName(), "1", stored, "{}".getBytes());

        // when it is read through the upcaster chain
        List<IntermediateEventRepresentation> read = new EventUpcasterChain(new ModelPriceSetUpcaster())
                .upcast(Stream.of(new InitialEventRepresentation(entry, SERIALIZER))).toList();

        // then it is revision 2, the same prices, and no units
        assertThat(read.get(0).getType()).isEqualTo(new SimpleSerializedType(ModelPriceSet.class.getName(), "2"));
        ModelPriceSet event = SERIALIZER.deserialize(read.get(0).getData());
        assertThat(event).isEqualTo(new ModelPriceSet("@cf/meta/llama-3.1-8b-instruct", Money.ofNanos(500_000_000),
                Money.ofNanos(1_500_000_000), Instant.parse("2026-11-20T10:00:00Z"), "admin:a",
                Instant.parse("2026-11-20T10:00:00Z")));
        assertThat(event.units()).isEmpty();
    }
}
