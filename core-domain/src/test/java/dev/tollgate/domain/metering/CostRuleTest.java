package dev.tollgate.domain.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tollgate.api.money.Money;
import java.math.BigInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CostRuleTest {
    private static final ModelPrice LLAMA_8B = PriceBook.cloudflareList().priceOf("@cf/meta/llama-3.1-8b-instruct")
            .orElseThrow();

    @Test
    void theListPriceIsExactInNanoDollars() {
        assertThat(LLAMA_8B.inputPerMillion()).isEqualTo(Money.ofNanos(282_000_000L));
        assertThat(LLAMA_8B.outputPerMillion()).isEqualTo(Money.ofNanos(827_000_000L));
    }

    @Test
    void aCallCostsItsTokensAtThePriceRoundedUpToTheNextNanoDollar() {
        // given 136 input and 10 output tokens on Llama 3.1 8B
        // when priced: (136 × 282,000,000 + 10 × 827,000,000) / 1,000,000 = 38,352 + 8,270 = 46,622 nano-USD exactly
        assertThat(CostRule.cost(136, 10, LLAMA_8B)).isEqualTo(Money.ofNanos(46_622));
        // and a fraction of a nano-dollar is rounded up, never down: 1 input token = 282 nano-USD exactly;
        // on a price of 0.027/M one token is 27 nano-USD; 1 token at 0.0000001/M is 0.0001 → 1 nano-USD
        ModelPrice tiny = new ModelPrice("m", "t", Money.ofNanos(100), Money.ZERO);
        assertThat(CostRule.cost(1, 0, tiny)).isEqualTo(Money.ofNanos(1));
        assertThat(CostRule.cost(0, 0, tiny)).isEqualTo(Money.ZERO);
    }

    @Test
    void anOverflowIsRefusedNotWrapped() {
        assertThatThrownBy(() -> CostRule.cost(Long.MAX_VALUE / 2, 0, LLAMA_8B)).isInstanceOf(ArithmeticException.class);
    }

    @Property(tries = 500)
    void theCostIsTheCeilingOfTheExactProduct(@ForAll @LongRange(min = 0, max = 10_000_000) long in,
                                              @ForAll @LongRange(min = 0, max = 10_000_000) long out) {
        BigInteger exact = BigInteger.valueOf(in).multiply(BigInteger.valueOf(LLAMA_8B.inputPerMillion().nanos()))
                .add(BigInteger.valueOf(out).multiply(BigInteger.valueOf(LLAMA_8B.outputPerMillion().nanos())));
        BigInteger[] qr = exact.divideAndRemainder(BigInteger.valueOf(1_000_000));
        long expected = qr[0].longValueExact() + (qr[1].signum() > 0 ? 1 : 0);
        assertThat(CostRule.cost(in, out, LLAMA_8B).nanos()).isEqualTo(expected);
    }
}
