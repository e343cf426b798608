package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.axonframework.common.IdentifierFactory;
import org.junit.jupiter.api.Test;

class PerThreadIdentifiersTest {

    @Test
    void axonFindsItThroughTheServiceFile() {
        // when Axon asks for its identifier factory
        IdentifierFactory factory = IdentifierFactory.getInstance();

        // then it is this one, not Axon's default
        assertThat(factory).isInstanceOf(PerThreadIdentifiers.class);
    }

    @Test
    void identifiersAreRandomVersion4UuidsAsAxonsDefaultMakesThem() {
        // when an identifier is made
        String identifier = new PerThreadIdentifiers().generateIdentifier();

        // then it reads back as a random (version 4, IETF variant) UUID in the usual text form
        UUID uuid = UUID.fromString(identifier);
        assertThat(uuid.version()).isEqualTo(4);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.toString()).isEqualTo(identifier);
    }

    @Test
    void threadsWithTheirOwnGeneratorsNeverRepeatAnIdentifier() throws Exception {
        // given 8 threads, each drawing from its own generator
        PerThreadIdentifiers factory = new PerThreadIdentifiers();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<List<String>>> drawn = new ArrayList<>();

        // when each makes 20,000 identifiers at once
        for (int t = 0; t < 8; t++) {
            drawn.add(threads.submit(() -> {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < 20_000; i++) {
                    mine.add(factory.generateIdentifier());
                }
                return mine;
            }));
        }
        Set<String> all = new HashSet<>();
        for (Future<List<String>> one : drawn) {
            all.addAll(one.get(30, TimeUnit.SECONDS));
        }
        threads.shutdown();

        // then all 160,000 are different
        assertThat(all).hasSize(160_000);
    }
}
