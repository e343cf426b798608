package dev.tollgate.web.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.ReservationSettled;
import dev.tollgate.api.budget.Budget;
import dev.tollgate.api.budget.BudgetSet;
import dev.tollgate.api.budget.BudgetThresholdCrossed;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event mapper's own readers of Money, AccountId and Instant read exactly what the general ones did. */
class StoredValuesTest {
    private final ObjectMapper events = new AxonConfig().defaultAxonObjectMapper();
    private final ObjectMapper general = new ObjectMapper().registerModule(
            new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule()).disable(
            com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    @Test
    void aStoredEventReadsBackEqualAndAsTheGeneralReaderReadsIt() throws Exception {
        var settled = new ReservationSettled(AccountId.of("acct-1"), "h-1",
                new Charge("@cf/meta/llama-3.1-8b-instruct", 54, 31, TokenSource.PROVIDER, Money.ofNanos(282_000_000),
                        Money.ofNanos(827_000_000), Money.ofNanos(47_705), "req_1", List.of()),
                Money.ofNanos(47_705), Money.ofNanos(52_295), Money.ofNanos(999_999_999_952_295L), Money.ZERO,
                Instant.parse("2026-11-23T08:47:02.361302218Z"));
        byte[] stored = events.writeValueAsBytes(settled);

        assertThat(events.readValue(stored, ReservationSettled.class)).isEqualTo(settled)
                .isEqualTo(general.readValue(stored, ReservationSettled.class));
    }

    @Test
    void budgetEventsReadBackEqualWithTheirAbsentLimitsStillAbsent() throws Exception {
        var set = new BudgetSet(AccountId.of("acct-1"), new Budget(Money.ofUsd(5), null, List.of(50, 80, 100), true),
                "admin:u-1", Instant.parse("2026-11-23T08:47:02Z"));
        var crossed = new BudgetThresholdCrossed(AccountId.of("acct-1"), "daily", "2026-11-23", 80, Money.ofUsd(5),
                Money.ofNanos(4_000_000_001L), "h-1", Instant.parse("2026-11-23T08:47:03Z"));

        assertThat(events.readValue(events.writeValueAsBytes(set), BudgetSet.class)).isEqualTo(set)
                .isEqualTo(general.readValue(events.writeValueAsBytes(set), BudgetSet.class));
        assertThat(events.readValue(events.writeValueAsBytes(crossed), BudgetThresholdCrossed.class))
                .isEqualTo(crossed);
        assertThat(events.readValue(events.writeValueAsBytes(set), BudgetSet.class).budget().monthlyLimit())
                .isNull();
    }

    @Test
    void otherFieldsAreSkippedAndAMissingFieldIsTheConstructorsDefault() throws Exception {
        assertThat(events.readValue("{\"extra\":{\"a\":[1,2]},\"nanos\":-5,\"more\":true}", Money.class))
                .isEqualTo(Money.ofNanos(-5));
        assertThat(events.readValue("{}", Money.class)).isEqualTo(general.readValue("{}", Money.class));
        assertThat(events.readValue("{\"nanos\":\"12\"}", Money.class))
                .isEqualTo(general.readValue("{\"nanos\":\"12\"}", Money.class));
    }

    @Test
    void anAccountIdTheConstructorRejectsIsAnErrorAsBefore() {
        assertThatThrownBy(() -> events.readValue("{\"value\":\"no spaces allowed\"}", AccountId.class))
                .isInstanceOf(JsonMappingException.class);
        assertThatThrownBy(() -> events.readValue("{}", AccountId.class)).isInstanceOf(JsonMappingException.class);
        assertThatThrownBy(() -> general.readValue("{}", AccountId.class)).isInstanceOf(JsonMappingException.class);
    }

    @Test
    void aTimeInAnotherShapeIsStillRead() throws Exception {
        assertThat(events.readValue("\"2026-11-23T09:46:48+01:00\"", Instant.class))
                .isEqualTo(Instant.parse("2026-11-23T08:46:48Z"));
        assertThat(events.readValue("1763887608.5", Instant.class))
                .isEqualTo(general.readValue("1763887608.5", Instant.class));
    }
}
