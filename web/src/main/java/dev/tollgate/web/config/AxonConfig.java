package dev.tollgate.web.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.MeterRegistry;
import dev.tollgate.domain.evolution.AccountOpenedUpcaster;
import dev.tollgate.domain.evolution.CreditsReservedModelUpcaster;
import dev.tollgate.domain.evolution.CreditsReservedUpcaster;
import dev.tollgate.domain.evolution.ModelPriceSetUpcaster;
import dev.tollgate.domain.evolution.ReservationSettledPartialUpcaster;
import dev.tollgate.domain.evolution.ReservationSettledUpcaster;
import dev.tollgate.api.account.ReserveCredits;
import dev.tollgate.domain.transfer.CreditedTransfers;
import dev.tollgate.domain.transfer.TransferProcess;
import dev.tollgate.web.http.StorageOutage;
import dev.tollgate.web.ops.Projections;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.time.Clock;
import java.time.Instant;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.springframework.beans.factory.annotation.Qualifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandBusSpanFactory;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.DuplicateCommandHandlerResolver;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.messaging.interceptors.CorrelationDataInterceptor;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.DirectEventProcessingStrategy;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventProcessorSpanFactory;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.SubscribingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.eventsourcing.EventCountSnapshotTriggerDefinition;
import org.axonframework.eventsourcing.SnapshotTriggerDefinition;
import org.axonframework.modelling.command.CommandTargetResolver;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.eventsourcing.Snapshotter;
import org.axonframework.eventsourcing.SnapshotterSpanFactory;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.messaging.annotation.HandlerDefinition;
import org.axonframework.messaging.annotation.ParameterResolverFactory;
import org.axonframework.spring.eventsourcing.SpringAggregateSnapshotter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.jackson.Jackson2ObjectMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.http.converter.json.Jackson2ObjectMapperBuilder;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * Axon wiring that the defaults get wrong for a ledger: Jackson for every message (records round-trip, XStream
 * cannot read them back), a cache and snapshots so a busy account does not replay its history, retries of
 * append conflicts, and a transaction manager that lets a saga catch a rejected command without poisoning its
 * own transaction.
 */
@Configuration
public class AxonConfig {

    /** The mapper for Axon's stored messages: independent of the HTTP mapper, because events are forever. */
    @Bean("defaultAxonObjectMapper")
    public ObjectMapper defaultAxonObjectMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                // Registered after JavaTimeModule, so it is the one asked for an Instant (ADR 22).
                .registerModule(new SimpleModule("canonical-instants")
                        .addDeserializer(Instant.class, new CanonicalInstantDeserializer()))
                .registerModule(new StoredValuesModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The HTTP mapper, built from spring.jackson.* (snake_case); primary so controllers use it. */
    @Bean
    @Primary
    public ObjectMapper objectMapper(Jackson2ObjectMapperBuilder builder) {
        return builder.createXmlMapper(false).build();
    }

    @Bean
    public Jackson2ObjectMapperBuilderCustomizer strictNumbers() {
        // Money arrives as strings; a JSON number where a string is expected must not be coerced silently. A field
        // given twice ({"amount_usd":"0.1","amount_usd":"0.9"}) is refused rather than read as its last value, and
        // so is anything after the body's one JSON value ({"amount_usd":"0.1"}{"amount_usd":"9"}, or "} xyz"): a
        // body that is not one JSON value is malformed, not the first value it starts with.
        return builder -> builder.featuresToEnable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION,
                        DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .postConfigurer(mapper -> mapper.coercionConfigDefaults()
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail));
    }

    @Bean
    public Jackson2ObjectMapperBuilderCustomizer plainDecimals() {
        // A word's end at 90.0 s is written 90, not 9E+1: a decimal is written as people and most parsers read it.
        return builder -> builder.featuresToEnable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    /**
     * Trace and correlation ids travel from a command to the events it causes, as Axon's default does. A tracked
     * event handed to a read model starts nothing worth tracing, yet Axon asks for correlation data each time a
     * handler returns, and answering reads the stored event's metadata back from JSON: an eighth of a replay's CPU.
     */
    @Bean
    public CorrelationDataProvider messageOrigin() {
        MessageOriginProvider origin = new MessageOriginProvider();
        return message -> message instanceof TrackedEventMessage<?> ? Map.of() : origin.correlationDataFor(message);
    }

    /** Threads that send the transfer process's steps as commands of their own, handing each to a lane (ADR 48). */
    @Bean(destroyMethod = "shutdown")
    public ExecutorService transferSteps() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "transfer-step-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    public TransferProcess transferProcess(CommandGateway commandGateway, ExecutorService transferSteps,
                                           CreditedTransfers answeredHere) {
        return new TransferProcess(commandGateway, transferSteps, answeredHere);
    }

    /**
     * Axon's command bus as its auto-configuration builds it, except that commands arriving together share one
     * transaction (ADR 37), unless {@code tollgate.command-batch} is 1.
     */
    @Bean
    @Qualifier("localSegment")
    public SimpleCommandBus commandBus(TransactionManager transactionManager,
                                       org.axonframework.config.Configuration axonConfiguration,
                                       DuplicateCommandHandlerResolver duplicates, CommandTargetResolver commandTargets,
                                       @Value("${tollgate.command-batch:64}") int batch,
                                       @Value("${tollgate.command-lanes:0}") int lanes) {
        SimpleCommandBus.Builder builder = SimpleCommandBus.builder()
                .duplicateCommandHandlerResolver(duplicates)
                .spanFactory(axonConfiguration.getComponent(CommandBusSpanFactory.class))
                .messageMonitor(axonConfiguration.messageMonitor(CommandBus.class, "commandBus"));
        SimpleCommandBus bus = batch <= 1 ? builder.transactionManager(transactionManager).build()
                : new SharedCommitCommandBus(builder, transactionManager, command -> {
                    try {
                        return commandTargets.resolveTarget(command).getIdentifier().hashCode();
                    } catch (RuntimeException noTarget) {
                        return command.getCommandName().hashCode();
                    }
                }, StorageOutage::causedBy, lanes > 0 ? lanes : Runtime.getRuntime().availableProcessors(), batch,
                        DurableCommits.LANE_COMMITS, AxonConfig::answeredAtCommit);
        bus.registerHandlerInterceptor(new CorrelationDataInterceptor<>(axonConfiguration.correlationDataProviders()));
        return bus;
    }

    /**
     * A hold is answered at its commit, before the embedded store has written it (ADR 59): the call it covers is
     * answered only after its settlement, and the write that makes the settlement durable holds the hold too. A crash
     * in between loses the hold, which is what its deadline would have done: released, nothing charged.
     */
    static boolean answeredAtCommit(CommandMessage<?> command) {
        return command.getPayload() instanceof ReserveCredits;
    }

    /** Which account a command is for, found the way Axon finds it, with the lookup kept per command type. */
    @Bean
    public CommandTargetResolver commandTargets() {
        return new CachedCommandTargets();
    }

    /** Old revisions of released events, read as today's (registered with Axon as an EventUpcaster bean). */
    @Bean
    public AccountOpenedUpcaster accountOpenedUpcaster() {
        return new AccountOpenedUpcaster();
    }

    /**
     * Axon's JDBC event store, as Axon's auto-configuration builds it, but reading each stored event's time once
     * (ADR 22), reading past gaps through the index on H2 too, and handing out 1,000 events per query (ADR 23). The
     * gap settings are Axon's defaults, spelled out because the engine needs them too.
     */
    @Bean
    public EventStorageEngine eventStorageEngine(Serializer defaultSerializer,
                                                 PersistenceExceptionResolver persistenceExceptionResolver,
                                                 @Qualifier("eventSerializer") Serializer eventSerializer,
                                                 org.axonframework.config.Configuration configuration,
                                                 ConnectionProvider connectionProvider,
                                                 TransactionManager transactionManager,
                                                 @Value("${tollgate.event-fetch-size:1000}") int fetchSize) {
        return new LedgerEventStorageEngine(JdbcEventStorageEngine.builder()
                .snapshotSerializer(defaultSerializer)
                .upcasterChain(configuration.upcasterChain())
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .eventSerializer(eventSerializer)
                .snapshotFilter(configuration.snapshotFilter())
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(new EventSchema())
                .readEventDataWithGaps(GapReads::readEventDataWithGaps)
                .batchSize(fetchSize), 60_000, 10_000, 1);
    }

    /**
     * Axon's JDBC parts take Spring's transaction-bound connection as it is. Axon's default wraps it once more in a
     * connection kept for the unit of work and closed when the unit of work cleans up: after the Spring transaction
     * has already handed it back to the pool. HikariCP's second close clears the statement list the connection's
     * next borrower is using, and that thread fails (ADR 25). Every Axon JDBC call here runs in a Spring transaction,
     * so the unit-of-work connection added nothing.
     */
    @Bean
    public ConnectionProvider connectionProvider(DataSource dataSource) {
        return new SpringDataSourceConnectionProvider(dataSource);
    }

    /** Lost append races on PostgreSQL become retried conflicts, as they already are on H2. */
    @Bean
    public PersistenceExceptionResolver persistenceExceptionResolver() {
        return new DuplicateAppends();
    }

    @Bean
    public ReservationSettledUpcaster reservationSettledUpcaster() {
        return new ReservationSettledUpcaster();
    }

    @Bean
    public ReservationSettledPartialUpcaster reservationSettledPartialUpcaster() {
        return new ReservationSettledPartialUpcaster();
    }

    @Bean
    public CreditsReservedUpcaster creditsReservedUpcaster() {
        return new CreditsReservedUpcaster();
    }

    @Bean
    public CreditsReservedModelUpcaster creditsReservedModelUpcaster() {
        return new CreditsReservedModelUpcaster();
    }

    @Bean
    public ModelPriceSetUpcaster modelPriceSetUpcaster() {
        return new ModelPriceSetUpcaster();
    }

    @Bean
    public Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Hot accounts stay in memory; a weak-reference cache would drop them after every command. On PostgreSQL,
     * where several nodes may share the event store, a cached account is checked against the store before use.
     */
    @Bean
    public Cache accountCache(@Value("${tollgate.account-cache-size:20000}") int size,
                              @Value("${spring.datasource.url}") String databaseUrl, JdbcTemplate jdbc) {
        Cache cache = new BoundedCache(size);
        return databaseUrl.startsWith("jdbc:postgresql:") ? new StoreCheckedCache(cache, jdbc) : cache;
    }

    /** On PostgreSQL, cached accounts are checked after each command that appended nothing to them (ADR 26). */
    @Bean
    public Registration cachedAccountChecks(CommandBus commandBus, Cache accountCache) {
        if (accountCache instanceof StoreCheckedCache checked) {
            return commandBus.registerHandlerInterceptor(checked.afterCommands());
        }
        return () -> true;
    }

    /** The processing groups whose handlers run inside the command that appended the event (application.yml). */
    static final Set<String> IN_THE_COMMAND = Set.of("transfer-outcomes", "rate-limits", "metrics", "budget-alerts");

    /**
     * One subscribing processor for the groups that react inside the command, instead of one each: each processor
     * wraps every event in a unit of work of its own and walks its interceptors, and the four processors together
     * took an eighth of a command's CPU in bench/ledger's profile. The groups keep their names and their handlers.
     */
    @Bean
    public ConfigurerModule handlersInTheCommand() {
        return configurer -> configurer.eventProcessing()
                .assignProcessingGroup(AxonConfig::processorOf)
                .registerEventProcessor("in-the-command", AxonConfig::inTheCommand);
    }

    /**
     * The processor that runs a processing group. The read models share one tracking processor (ADR 51): one token,
     * one read of the stream and one transaction per batch for all three, instead of one each.
     */
    static String processorOf(String group) {
        return IN_THE_COMMAND.contains(group) ? "in-the-command" : Projections.processorOf(group);
    }

    /** Axon's own subscribing processor on the event bus, built as its configuration builds one, with handlers that are never replayed. */
    private static EventProcessor inTheCommand(String name, org.axonframework.config.Configuration configuration,
                                               EventHandlerInvoker handlers) {
        EventProcessingConfiguration processing = configuration.eventProcessingConfiguration();
        return SubscribingEventProcessor.builder()
                .name(name)
                .eventHandlerInvoker(new NeverReplayedHandlers(handlers))
                .rollbackConfiguration(processing.rollbackConfiguration(name))
                .errorHandler(processing.errorHandler(name))
                .messageMonitor(processing.messageMonitor(SubscribingEventProcessor.class, name))
                .messageSource(configuration.eventBus())
                .processingStrategy(DirectEventProcessingStrategy.INSTANCE)
                .transactionManager(processing.transactionManager(name))
                .spanFactory(configuration.getComponent(EventProcessorSpanFactory.class))
                .build();
    }

    /**
     * On the embedded default the read models' processor commits without waiting for the store's write and pauses
     * after each commit (ADR 62); on PostgreSQL its commits stay as they are.
     */
    @Bean
    public ConfigurerModule readModelsCommitWithoutWaiting(DataSource dataSource) {
        return configurer -> configurer.eventProcessing().registerTransactionManager(Projections.READ_MODELS,
                c -> dataSource instanceof DurableCommits.Durable
                        ? new ReadModelCommits(c.getComponent(TransactionManager.class), ReadModelCommits.PAUSE_MS)
                        : c.getComponent(TransactionManager.class));
    }

    /**
     * A ledger may never skip an event: Axon's default error handler logs a failing handler and moves on, which
     * would leave a transfer in flight forever or a read model wrong. Propagate instead, so the batch is rolled
     * back and retried with back-off until it succeeds.
     */
    @Bean
    public ConfigurerModule neverSkipEvents() {
        return configurer -> configurer.eventProcessing()
                .registerDefaultListenerInvocationErrorHandler(c -> PropagatingErrorHandler.instance());
    }

    /**
     * Snapshots are taken on a thread of their own. Taken on the command's thread, a snapshot opens a second
     * transaction while the account is still locked; with the connection pool exhausted by requests waiting for
     * that lock, every caller stalled until the pool's timeout (seen in bench/gateway at 64 concurrent calls).
     */
    @Bean
    public SpringAggregateSnapshotter aggregateSnapshotter(org.axonframework.config.Configuration configuration,
                                                           HandlerDefinition handlerDefinition,
                                                           ParameterResolverFactory parameterResolverFactory,
                                                           EventStore eventStore, TransactionManager transactionManager,
                                                           SnapshotterSpanFactory spanFactory) {
        return SpringAggregateSnapshotter.builder()
                .repositoryProvider(configuration::repository)
                .transactionManager(transactionManager)
                .eventStore(eventStore)
                .parameterResolverFactory(parameterResolverFactory)
                .handlerDefinition(handlerDefinition)
                .spanFactory(spanFactory)
                .executor(Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "snapshotter");
                    t.setDaemon(true);
                    return t;
                }))
                .build();
    }

    /**
     * A snapshot after this many events of an account since its last one. Accounts in use live in the cache, so a
     * snapshot only shortens a cold load (at most this many events read after it), while taking one reads those
     * events back and writes the whole account, remembered keys included: at every 100 events the snapshotter
     * took 7% of the CPU under transfer load; at every 1,000 a cold load still reads a few milliseconds of events.
     */
    @Bean
    public SnapshotTriggerDefinition accountSnapshotTrigger(Snapshotter snapshotter,
                                                            @Value("${tollgate.snapshot-every:1000}") int every) {
        return new EventCountSnapshotTriggerDefinition(snapshotter, every);
    }

    /**
     * Two writers of one account meet on the event store's unique (aggregate, sequence) index; Axon reports that
     * as a ConcurrencyException, which is transient: retry a bounded number of times, reloading the aggregate.
     */
    @Bean(destroyMethod = "shutdown")
    public ScheduledExecutorService commandRetryExecutor() {
        return Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "command-retry");
            t.setDaemon(true);
            return t;
        });
    }

    @Bean
    public CommandGateway commandGateway(CommandBus commandBus, ScheduledExecutorService commandRetryExecutor,
                                         MeterRegistry meters) {
        return DefaultCommandGateway.builder()
                .commandBus(commandBus)
                .retryScheduler(new CountedRetries(new ConflictRetries(ExponentialBackOffIntervalRetryScheduler.builder()
                        .retryExecutor(commandRetryExecutor)
                        .backoffFactor(10)
                        .maxRetryCount(8)), AxonConfig::causedByConflict, meters))
                .build();
    }

    /**
     * Retries a command only when it lost an append race; a rejection is an answer. Axon's own predicate is asked
     * of every cause in the chain and retries only if none says "non-transient", so a conflict caused by an
     * SQLException was never retried; this decides on the whole chain at once.
     * <p>
     * With several nodes, a first conflict is nearly always a cached account that another node has since appended
     * to: it has been evicted and is read afresh, so the first retry runs at once. Later retries wait a random time
     * up to the exponential back-off, so that two nodes that met on one account do not meet again in step.
     */
    static final class ConflictRetries extends ExponentialBackOffIntervalRetryScheduler {
        ConflictRetries(ExponentialBackOffIntervalRetryScheduler.Builder builder) {
            super(builder);
        }

        @Override
        protected boolean isExplicitlyNonTransient(Throwable failure) {
            return !causedByConflict(failure);
        }

        @Override
        protected long computeRetryInterval(CommandMessage command, RuntimeException lastFailure,
                                            List<Class<? extends Throwable>[]> failures) {
            if (failures.size() <= 1) {
                return 0;
            }
            long backOff = super.computeRetryInterval(command, lastFailure, failures.subList(0, failures.size() - 1));
            return ThreadLocalRandom.current().nextLong(backOff + 1);
        }
    }

    private static boolean causedByConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ConcurrencyException) {
                return true;
            }
        }
        return false;
    }

    @Bean
    public JdbcTransactionManager transactionManager(DataSource dataSource) {
        JdbcTransactionManager manager = new JdbcTransactionManager(dataSource);
        // A saga sends commands inside its own transaction; a rejected one must not mark the whole batch
        // rollback-only. Nothing of a rejected command was written: aggregates decide before they apply.
        manager.setGlobalRollbackOnParticipationFailure(false);
        return manager;
    }
}
