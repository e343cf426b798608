package dev.tollgate.web.ai;

import dev.tollgate.api.account.AccountId;
import dev.tollgate.api.account.ReleaseReservation;
import dev.tollgate.api.account.SettleReservation;
import dev.tollgate.api.account.UnknownHoldException;
import dev.tollgate.api.metering.Charge;
import dev.tollgate.api.metering.Settlement;
import dev.tollgate.api.metering.TokenSource;
import dev.tollgate.api.money.Money;
import dev.tollgate.api.metering.ChargedUnits;
import dev.tollgate.domain.metering.AudioLength;
import dev.tollgate.domain.metering.ChatCompletion;
import dev.tollgate.domain.metering.EmbeddingRequest;
import dev.tollgate.domain.metering.Embeddings;
import dev.tollgate.domain.metering.GeneratedImage;
import dev.tollgate.domain.metering.ImageRequest;
import dev.tollgate.domain.metering.ImageTiles;
import dev.tollgate.domain.metering.Transcription;
import dev.tollgate.domain.metering.TranscriptionRequest;
import dev.tollgate.domain.metering.UnitPrice;
import dev.tollgate.domain.metering.VisionChatRequest;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.tollgate.domain.metering.ChatRequest;
import dev.tollgate.domain.metering.CostRule;
import dev.tollgate.domain.metering.InferenceProvider;
import dev.tollgate.domain.metering.ModelPrice;
import dev.tollgate.domain.metering.PriceBook;
import dev.tollgate.domain.metering.ProviderException;
import dev.tollgate.domain.metering.ProviderUsage;
import dev.tollgate.web.config.TollgateProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
    /** How long past its hold's deadline a delivered call's settlement is retried (the ledger takes it for a day). */
    static final Duration LATE_SETTLEMENT_GRACE = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(MeteredCalls.class);
    /** bge's tokenizer wraps every text in [CLS] … [SEP]. */
    private static final long EMBEDDING_MARKERS = 2;

    private final CommandGateway commands;
    private final InferenceProvider provider;
    private final PriceBook prices;
    private final TokenEstimator tokens;
    private final Clock clock;
    private final Duration holdTimeout;
    private final LateSettlements late;
    /** How long an interrupted request thread still waits for the ledger's answer to a command it sent. */
    private static final Duration INTERRUPTED_WAIT = Duration.ofSeconds(30);

    public MeteredCalls(CommandGateway commands, InferenceProvider provider, PriceBook prices, TokenEstimator tokens,
                        Clock clock, TollgateProperties properties, LateSettlements late) {
        this.late = late;
        this.commands = commands;
        this.provider = provider;
        this.prices = prices;
        this.tokens = tokens;
        this.clock = clock;
        this.holdTimeout = Duration.ofSeconds(properties.holdTimeoutSeconds());
    }

    /**
     * A metered chat as its surfaces answer it. {@code toolCalls} is the JSON text of the function calls the model
     * asked for, as the provider wrote them, or null for none ({@link ToolCallForms} gives each surface its form).
     */
    public record Metered(String requestId, String model, String text, long inputTokens, long outputTokens,
                          TokenSource source, Money cost, Money balanceAfter, String provider, long latencyMs,
                          String finishReason, String toolCalls) {
        /** A metered call that asked for no function calls. */
        public Metered(String requestId, String model, String text, long inputTokens, long outputTokens,
                       TokenSource source, Money cost, Money balanceAfter, String provider, long latencyMs,
                       String finishReason) {
            this(requestId, model, text, inputTokens, outputTokens, source, cost, balanceAfter, provider, latencyMs,
                    finishReason, null);
        }
    }

    public String providerName() {
        return provider.name();
    }

    /** Preconditions: the model has a price (checked first, before any hold). */
    public Metered chat(Payer payer, ChatRequest request, String requestId) {
        return run(payer, request, requestId, null);
    }

    public Metered chatStream(Payer payer, ChatRequest request, String requestId, Consumer<String> onDelta) {
        return run(payer, request, requestId, onDelta);
    }

    public ModelPrice priceOf(String model) {
        return prices.priceOf(model).orElseThrow(() ->
                ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, "Unknown model: " + model));
    }

    private Metered run(Payer payer, ChatRequest request, String requestId, Consumer<String> onDelta) {
        AccountId account = payer.account();
        ModelPrice price = priceFor(request.model(), PriceBook.TEXT_GENERATION);
        long estimatedInput = tokens.countInput(request);
        String holdId = "hold_" + requestId;
        Money bound = CostRule.cost(estimatedInput + estimatedInput / 5 + 1, request.maxTokens(), price);
        Money hold = bound.isPositive() ? bound : Money.ofNanos(1);
        Instant holdExpires = clock.instant().plus(holdTimeout);
        ask(payer.reserve(holdId, hold, requestId, holdExpires, clock.instant(), request.model()));
        // A streamed answer reaches its caller as it comes: its charge must be booked even if storing it fails, and
        // the account still takes it after the hold lapsed (ADR 42), so it is retried past the deadline too.
        Instant deliveredUntil = onDelta == null ? null : holdExpires.plus(LATE_SETTLEMENT_GRACE);
        long started = System.nanoTime();
        ChatCompletion completion;
        try {
            completion = onDelta == null ? provider.chat(request) : provider.chatStream(request, onDelta);
        } catch (ProviderException failed) {
            if (failed.producedOutput()) {
                // Output reached the caller: they are charged for what the provider produced.
                Settled settled = settle(account, holdId, request, price, failed.partial(), estimatedInput, requestId,
                        true, holdExpires.plus(LATE_SETTLEMENT_GRACE));
                throw new PartlyCharged(failed, metered(requestId, request, failed.partial(), settled,
                        (System.nanoTime() - started) / 1_000_000));
            } else {
                release(account, holdId, "provider failed: " + failed.kind());
            }
            throw failed;
        } catch (RuntimeException unexpected) {
            release(account, holdId, "call failed");
            throw unexpected;
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Settled settled = settle(account, holdId, request, price, completion, estimatedInput, requestId, false,
                deliveredUntil);
        return metered(requestId, request, completion, settled, latencyMs);
    }

    private Metered metered(String requestId, ChatRequest request, ChatCompletion completion, Settled settled,
                            long latencyMs) {
        return new Metered(requestId, request.model(), completion.text(), settled.charge.inputTokens(),
                settled.charge.outputTokens(), settled.charge.tokenSource(), settled.receipt.collected(),
                settled.receipt.balanceAfter(), provider.name(), latencyMs, completion.finishReason(),
                completion.toolCalls());
    }

    private record Settled(Charge charge, Settlement receipt) {
    }

    /**
     * The provider's failure after output reached the caller, once the call was settled for that output: the same
     * failure, plus what it was charged, so the caller's last event can say so.
     */
    public static final class PartlyCharged extends ProviderException {
        private final transient Metered charged;

        PartlyCharged(ProviderException failure, Metered charged) {
            super(failure.kind(), failure.getMessage(), failure.upstreamStatus(), failure.upstreamCode(),
                    failure.retryAfterSeconds(), failure.partial(), failure);
            this.charged = charged;
        }

        /** The charge for what was produced: tokens, cost collected, balance after. */
        public Metered charged() {
            return charged;
        }
    }

    /**
     * Usage the caller ran elsewhere and reports (ADR 30): priced from the price book as it was at {@code usedAt},
     * then booked as a hold of exactly that cost settled at once, so it is checked like any call (balance, budget's
     * hard stop) and recorded like one (history, usage, budget spend). Tokens are marked {@code REPORTED}.
     */
    public Metered reported(Payer payer, String model, long inputTokens, long outputTokens, String requestId,
                            Instant usedAt, String chargeId) {
        AccountId account = payer.account();
        ModelPrice price = prices.priceOf(model, usedAt).orElseThrow(() ->
                ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, "Unknown model: " + model));
        if (!price.units().isEmpty()) {
            throw ProviderException.of(ProviderException.Kind.BAD_INPUT,
                    model + " is priced per " + price.units().get(0).unit() + ", not per token");
        }
        Money cost = CostRule.cost(inputTokens, outputTokens, price);
        Money hold = cost.isPositive() ? cost : Money.ofNanos(1);
        Instant now = clock.instant();
        ask(payer.reserve(chargeId, hold, requestId, now.plus(holdTimeout), now, model));
        Charge charge = new Charge(model, inputTokens, outputTokens, TokenSource.REPORTED, price.inputPerMillion(),
                price.outputPerMillion(), cost, requestId);
        Settlement receipt;
        try {
            receipt = ask(new SettleReservation(account, chargeId, charge, now));
        } catch (RuntimeException failed) {
            // Nothing was charged; free the hold now rather than at its deadline, so the report can be sent again.
            release(account, chargeId, "report not booked");
            throw failed;
        }
        return new Metered(requestId, model, null, inputTokens, outputTokens, TokenSource.REPORTED,
                receipt.collected(), receipt.balanceAfter(), "reported", 0, null);
    }


    /**
     * Settles the call; {@code deliveredUntil} is set when its output already reached the caller, and a settlement
     * that could not be stored is then retried until that time (the hold's expiry) by {@link LateSettlements}.
     */
    private Settled settle(AccountId account, String holdId, ChatRequest request, ModelPrice price,
                           ChatCompletion completion, long estimatedInput, String requestId, boolean partial,
                           Instant deliveredUntil) {
        Charge charge;
        try {
            charge = chargeOf(request, price, completion, estimatedInput, requestId);
        } catch (RuntimeException unpriceable) {
            // Nothing can be booked for this call, now or later: end its hold now rather than at its deadline.
            release(account, holdId, "charge not computable");
            throw unpriceable;
        }
        SettleReservation settlement = new SettleReservation(account, holdId, charge, clock.instant(), partial);
        try {
            return new Settled(charge, ask(settlement));
        } catch (RuntimeException failed) {
            if (deliveredUntil != null && LateSettlements.worthRetrying(failed)) {
                // The output was delivered: book it once the ledger can, rather than let the hold lapse unpaid.
                late.retry(settlement, deliveredUntil);
            }
            throw failed;
        }
    }

    /**
     * Sends a command to the ledger and waits for its answer, as {@code sendAndWait} does, but an interrupt does not
     * end the wait: a stopping server interrupts its request threads, and {@code sendAndWait} then answers null for a
     * hold or a settlement that the ledger goes on to book. The caller would take a booked charge for a failure and
     * give its Idempotency-Key back, so that the retry paid again. After an interrupt the wait is bounded, and the
     * interrupt is kept for the caller.
     */
    private <R> R ask(Object command) {
        java.util.concurrent.CompletableFuture<R> answer = commands.send(command);
        boolean interrupted = false;
        long giveUpAt = Long.MAX_VALUE;
        try {
            while (true) {
                try {
                    return giveUpAt == Long.MAX_VALUE ? answer.get()
                            : answer.get(Math.max(0, giveUpAt - System.nanoTime()),
                                    java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    giveUpAt = Math.min(giveUpAt, System.nanoTime() + INTERRUPTED_WAIT.toNanos());
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("the ledger did not answer " + command.getClass().getSimpleName()
                            + " before the server stopped");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new org.axonframework.commandhandling.CommandExecutionException(
                            "the ledger failed " + command.getClass().getSimpleName(), cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void release(AccountId account, String holdId, String reason) {
        try {
            ask(new ReleaseReservation(account, holdId, reason, clock.instant()));
        } catch (RuntimeException releaseFailed) {
            // The hold's deadline releases it; the caller's answer is the provider's failure, not this one. A hold
            // that is gone already (its deadline came first) is the expected end of a very long call.
            if (releaseFailed instanceof UnknownHoldException
                    || releaseFailed.getCause() instanceof UnknownHoldException) {
                log.info("hold {} was already released by its deadline", holdId);
            } else {
                log.error("could not release hold {}", holdId, releaseFailed);
            }
        }
    }

    /**
     * A metered call of any kind: what the provider produced, the charge it was settled with, what that collected
     * (the charge's cost unless the account could not cover a charge above its hold) and the balance.
     */
    public record Billed<T>(String requestId, String model, T output, Charge charge, Money collected,
                            Money balanceAfter, String provider, long latencyMs) {
    }

    /**
     * The model's price, provided it serves {@code task}; anything else is "no such model" for this endpoint,
     * before any hold is placed.
     */
    public ModelPrice priceFor(String model, String task) {
        ModelPrice price = priceOf(model);
        if (!task.equals(price.task())) {
            throw ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND,
                    model + " is " + withArticle(price.task()) + " model, not " + withArticle(task) + " model");
        }
        return price;
    }

    /** "a Text Generation", "an Automatic Speech Recognition": the article the task's name is read with. */
    private static String withArticle(String task) {
        return ("AEIOUaeiou".indexOf(task.charAt(0)) >= 0 ? "an " : "a ") + task;
    }

    /**
     * Embeddings are priced on input tokens. Workers AI reports none for them, so the charge is Tollgate's count
     * (cl100k plus the two marker tokens bge puts around each text), flagged as an estimate.
     */
    public Billed<Embeddings> embed(Payer payer, EmbeddingRequest request, String requestId) {
        ModelPrice price = priceFor(request.model(), PriceBook.TEXT_EMBEDDINGS);
        long estimated = 0;
        for (String text : request.texts()) {
            estimated = Math.addExact(estimated, tokens.count(text) + EMBEDDING_MARKERS);
        }
        long counted = estimated;
        Money bound = CostRule.cost(estimated + estimated / 5 + 1, 0, price);
        return meter(payer, request.model(), requestId, bound, () -> provider.embed(request), out -> {
            ProviderUsage usage = priceable(out.usage(), price);
            boolean reported = usage != null;
            long input = reported ? usage.inputTokens() : counted;
            return new Charge(request.model(), input, 0, reported ? TokenSource.PROVIDER : TokenSource.ESTIMATE,
                    price.inputPerMillion(), price.outputPerMillion(), CostRule.cost(input, 0, price), requestId);
        });
    }

    /**
     * Images are priced per 512×512 tile of the picture plus per step. The hold assumes the size asked for (1024×1024
     * unless chosen); the charge counts the tiles of the picture the provider returned (an estimate, of the size
     * asked for, only if its size cannot be read).
     */
    public Billed<GeneratedImage> generateImage(Payer payer, ImageRequest request, String requestId) {
        ModelPrice price = priceFor(request.model(), PriceBook.TEXT_TO_IMAGE);
        long askedTiles = request.options().tiles();
        Money bound = CostRule.cost(List.of(CostRule.line(price, UnitPrice.IMAGE_TILE, askedTiles),
                CostRule.line(price, UnitPrice.STEP, request.steps())));
        return meter(payer, request.model(), requestId, bound, () -> provider.generateImage(request), out -> {
            OptionalLong tiles = ImageTiles.of(out.bytes());
            List<ChargedUnits> units = List.of(
                    CostRule.line(price, UnitPrice.IMAGE_TILE, tiles.orElse(askedTiles)),
                    CostRule.line(price, UnitPrice.STEP, request.steps()));
            return new Charge(request.model(), 0, 0, tiles.isPresent() ? TokenSource.PROVIDER : TokenSource.ESTIMATE,
                    price.inputPerMillion(), price.outputPerMillion(), CostRule.cost(units), requestId, units);
        });
    }

    /**
     * Speech is priced per audio minute, charged per millisecond. Workers AI reports no duration, so the length is
     * Tollgate's measure ({@link AudioLength}) and always flagged as an estimate.
     */
    public Billed<Transcription> transcribe(Payer payer, TranscriptionRequest request, String requestId) {
        ModelPrice price = priceFor(request.model(), PriceBook.SPEECH_RECOGNITION);
        Money bound = CostRule.cost(List.of(CostRule.line(price, UnitPrice.AUDIO_MILLISECOND,
                AudioLength.boundMillis(request.audio()))));
        return meter(payer, request.model(), requestId, bound, () -> provider.transcribe(request), out -> {
            List<ChargedUnits> units = List.of(CostRule.line(price, UnitPrice.AUDIO_MILLISECOND,
                    AudioLength.chargedMillis(request.audio(), out)));
            return new Charge(request.model(), 0, 0, TokenSource.ESTIMATE, price.inputPerMillion(),
                    price.outputPerMillion(), CostRule.cost(units), requestId, units);
        });
    }

    /**
     * A chat about an image, priced on tokens like a chat. The image's tokens are unknown until the provider counts
     * them, so the hold (and an estimate, when no usage comes back) adds {@link VisionChatRequest#IMAGE_TOKENS}.
     */
    public Metered visionChat(Payer payer, VisionChatRequest request, String requestId) {
        ChatRequest chat = request.chat();
        ModelPrice price = priceFor(chat.model(), PriceBook.TEXT_GENERATION);
        if (!prices.acceptsImages(chat.model())) {
            throw ProviderException.of(ProviderException.Kind.MODEL_NOT_FOUND, chat.model() + " does not read images");
        }
        long estimatedInput = tokens.countInput(chat) + VisionChatRequest.IMAGE_TOKENS;
        Money bound = CostRule.cost(estimatedInput + estimatedInput / 5 + 1, chat.maxTokens(), price);
        Billed<ChatCompletion> billed = meter(payer, chat.model(), requestId, bound,
                () -> provider.visionChat(request),
                out -> chargeOf(chat, price, out, estimatedInput, requestId));
        ChatCompletion out = billed.output();
        Charge charge = billed.charge();
        return new Metered(requestId, chat.model(), out.text(), charge.inputTokens(), charge.outputTokens(),
                charge.tokenSource(), billed.collected(), billed.balanceAfter(), billed.provider(), billed.latencyMs(),
                out.finishReason(), out.toolCalls());
    }

    private Charge chargeOf(ChatRequest request, ModelPrice price, ChatCompletion completion, long estimatedInput,
                            String requestId) {
        ProviderUsage usage = priceable(completion.usage(), price);
        boolean reported = usage != null;
        long input = reported ? usage.inputTokens() : estimatedInput;
        // Without the provider's count, the calls the model wrote are output as much as its text is.
        long output = reported ? usage.outputTokens()
                : tokens.count(request.model(), completion.text()) + tokens.count(request.model(), completion.toolCalls());
        return new Charge(request.model(), input, output, reported ? TokenSource.PROVIDER : TokenSource.ESTIMATE,
                price.inputPerMillion(), price.outputPerMillion(), CostRule.cost(input, output, price), requestId);
    }

    /**
     * The provider's usage, or null (so the call is settled by Tollgate's estimate) when its cost at this price
     * cannot be represented (ADR 43). Such a count is the provider's fault: it must neither be the caller's 400 nor
     * leave the hold open, and it is as unusable as the negative or non-numeric counts the adapter already drops.
     */
    private static ProviderUsage priceable(ProviderUsage usage, ModelPrice price) {
        if (usage == null) {
            return null;
        }
        try {
            CostRule.cost(usage.inputTokens(), usage.outputTokens(), price);
            return usage;
        } catch (ArithmeticException overflow) {
            log.warn("provider reported usage too large to price ({} input, {} output tokens of {}); "
                    + "settling by estimate", usage.inputTokens(), usage.outputTokens(), price.model());
            return null;
        }
    }

    /**
     * Reserve {@code bound} → call → settle the charge computed from what the call produced; any failure before a
     * result releases the whole hold. These calls produce their output all at once, so there is no partial charge.
     */
    private <T> Billed<T> meter(Payer payer, String model, String requestId, Money bound, Supplier<T> call,
                                Function<T, Charge> chargeOf) {
        AccountId account = payer.account();
        String holdId = "hold_" + requestId;
        Money hold = bound.isPositive() ? bound : Money.ofNanos(1);
        ask(payer.reserve(holdId, hold, requestId, clock.instant().plus(holdTimeout),
                clock.instant(), model));
        long started = System.nanoTime();
        T output;
        Charge charge;
        try {
            output = call.get();
            charge = chargeOf.apply(output);
        } catch (ProviderException failed) {
            release(account, holdId, "provider failed: " + failed.kind());
            throw failed;
        } catch (RuntimeException unexpected) {
            release(account, holdId, "call failed");
            throw unexpected;
        }
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Settlement receipt = ask(new SettleReservation(account, holdId, charge, clock.instant()));
        return new Billed<>(requestId, model, output, charge, receipt.collected(), receipt.balanceAfter(),
                provider.name(), latencyMs);
    }
}
