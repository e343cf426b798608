package dev.tollgate.web.ai;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.LedgerReceipt;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.CostRule;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.web.config.TollgateProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A metered call: reserve an upper bound → call the provider → settle the real cost and release the rest, or
 * release everything when the call failed before producing output. The hold is sized as estimated input × 1.2 plus
 * max_tokens of output, at the model's price; the charge uses the provider's own usage when it reports one.
 */
@Component
public class MeteredCalls {
    private static final Logger log = LoggerFactory.getLogger(MeteredCalls.class);

    private final CommandGateway commands;
    private final InferenceProvider provider;
    private final PriceBook prices;
    private final TokenEstimator tokens;
    private final Clock clock;
    private final Duration holdTimeout;

    public MeteredCalls(CommandGateway commands, InferenceProvider provider, PriceBook prices, TokenEstimator tokens,
                        Clock clock, TollgateProperties properties) {
        this.commands = commands;
        this.provider = provider;
        this.prices = prices;
        this.tokens = tokens;
        this.clock = clock;
        this.holdTimeout = Duration.ofSeconds(properties.holdTimeoutSeconds());
    }

    public record Metered(String requestId, String model, String text, long inputTokens, long outputTokens,
                          TokenSource source, Money cost, Money balanceAfter, String provider, long latencyMs,
                          String finishReason) {
    }

    public String providerName() {
        return provider.name();
    }

    /** Preconditions: the model has a price (checked first, before any hold). */
    public Metered chat(AccountId account, ChatRequest request, String requestId) {
        return run(account, request, requestId, null);
    }

    public Metered chatStream(AccountId account, ChatRequest request, String requestId, Consumer<String> onDelta) {
        return run(account, request, requestId, onDelta);
    }

    public ModelPrice priceOf(String model) {
        return prices.priceOf(model).orElseThrow(() ->
                ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, "Unknown model: " + model));
    }

    private Metered run(AccountId account, ChatRequest request, String requestId, Consumer<String> onDelta) {
        ModelPrice price = priceOf(request.model());
        long estimatedInput = tokens.countPrompt(request.messages());
        String holdId = "hold_" + requestId;
        Money bound = CostRule.cost(estimatedInput + estimatedInput / 5 + 1, request.maxTokens(), price);
        Money hold = bound.isPositive() ? bound : Money.ofNanos(1);
        commands.sendAndWait(new ReserveCredits(account, holdId, hold, requestId,
                clock.instant().plus(holdTimeout), clock.instant()));
        long started = System.nanoTime();
        ChatCompletion completion;
        try {
            completion = onDelta == null ? provider.chat(request) : provider.chatStream(request, onDelta);
        } catch (ProviderException failed) {
            if (failed.producedOutput()) {
                // Output reached the caller: they are charged for what the provider produced.
                settle(account, holdId, request, price, failed.partial(), estimatedInput, requestId);
            } else {
                release(account, holdId, "provider failed: " + failed.kind());
            }
            throw failed;
        } catch (RuntimeException unexpected) {
            release(account, holdId, "call failed");
            throw unexpected;
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Settled settled = settle(account, holdId, request, price, completion, estimatedInput, requestId);
        return new Metered(requestId, request.model(), completion.text(), settled.charge.inputTokens(),
                settled.charge.outputTokens(), settled.charge.tokenSource(), settled.charge.cost(),
                settled.receipt.balanceAfter(), provider.name(), latencyMs, completion.finishReason());
    }

    private record Settled(Charge charge, LedgerReceipt receipt) {
    }

    private Settled settle(AccountId account, String holdId, ChatRequest request, ModelPrice price,
                           ChatCompletion completion, long estimatedInput, String requestId) {
        long input;
        long output;
        TokenSource source;
        if (completion.usage() != null) {
            input = completion.usage().inputTokens();
            output = completion.usage().outputTokens();
            source = TokenSource.PROVIDER;
        } else {
            input = estimatedInput;
            output = tokens.count(completion.text());
            source = TokenSource.ESTIMATE;
        }
        Charge charge = new Charge(request.model(), input, output, source, price.inputPerMillion(),
                price.outputPerMillion(), CostRule.cost(input, output, price), requestId);
        LedgerReceipt receipt = commands.sendAndWait(new SettleReservation(account, holdId, charge, clock.instant()));
        return new Settled(charge, receipt);
    }

    private void release(AccountId account, String holdId, String reason) {
        try {
            commands.sendAndWait(new ReleaseReservation(account, holdId, reason, clock.instant()));
        } catch (RuntimeException releaseFailed) {
            // The hold's deadline releases it; the caller's answer is the provider's failure, not this one.
            log.error("could not release hold {}", holdId, releaseFailed);
        }
    }
}
