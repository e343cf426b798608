package dev.tollgate.web.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.eventsourcing.EventSourcedAggregate;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The account cache for several nodes on one event store: a cached account is trusted only while the store holds no
 * event of it that is newer than the cached version.
 *
 * <p>Without this check a node whose cache missed another node's deposit would decide on the old balance. An
 * append on a stale account is still caught (its sequence number is taken, the unit of work rolls back, Axon evicts
 * the entry and the command is retried), but a <em>refusal</em> appends nothing: the caller would get a false
 * {@code insufficient_funds}, or an idempotent retry answered from an intent this node never saw. One indexed
 * lookup of the account's last sequence number, on the command's own connection, closes that gap.
 *
 * <p>A command that appends is already protected by that unique index, so within a command the lookup waits until
 * the handler has run ({@link #afterCommands()}): it is made only if the command appended nothing to the account or
 * was refused, and a stale account then fails the command as a conflict, which is retried on fresh state (ADR 26).
 * Outside a command (a deadline, a snapshot) the account is checked when it is loaded, as before.
 */
public class StoreCheckedCache implements Cache {
    /**
     * The account's last sequence number, written as "the first row of the index read backwards": PostgreSQL may
     * plan {@code MAX(sequenceNumber)} for a prepared statement as a walk over every event of the account (seen on
     * a freshly filled, not yet analysed table: 200–300 pages read per command, most of PostgreSQL's CPU in
     * bench/ledger), which grows with the account's history.
     */
    private static final String LAST_SEQUENCE = "SELECT sequenceNumber FROM DomainEventEntry"
            + " WHERE aggregateIdentifier = ? ORDER BY sequenceNumber DESC LIMIT 1";

    private static final String SERVED = StoreCheckedCache.class.getName() + ".served";

    private final Cache delegate;
    private final JdbcTemplate jdbc;

    public StoreCheckedCache(Cache delegate, JdbcTemplate jdbc) {
        this.delegate = delegate;
        this.jdbc = jdbc;
    }

    @Override
    public <K, V> V get(K key) {
        V value = delegate.get(key);
        if (!(value instanceof AggregateCacheEntry<?> entry)) {
            return value;
        }
        // An entry made in this process keeps its live aggregate, which recreateAggregate hands back untouched.
        EventSourcedAggregate<?> aggregate = entry.recreateAggregate(null, null, null, null);
        Long cached = aggregate == null ? null : aggregate.version();
        List<Served> checkedLater = CurrentUnitOfWork.isStarted()
                ? CurrentUnitOfWork.get().getResource(SERVED) : null;
        if (checkedLater != null && cached != null) {
            checkedLater.add(new Served(key.toString(), cached, aggregate));
            return value;
        }
        if (cached == null || !cached.equals(lastStored(key.toString()))) {
            delegate.remove(key);
            return null;
        }
        return value;
    }

    private Long lastStored(String accountId) {
        List<Long> last = jdbc.queryForList(LAST_SEQUENCE, Long.class, accountId);
        return last.isEmpty() ? null : last.get(0);
    }

    /** An account handed to a command from the cache, at the version it had then. */
    private record Served(String accountId, long version, EventSourcedAggregate<?> aggregate) {
        boolean appended() {
            Long now = aggregate.version();
            return now != null && now != version;
        }
    }

    /** The command-bus interceptor that checks, after a command, the cached accounts it appended nothing to. */
    public MessageHandlerInterceptor<CommandMessage<?>> afterCommands() {
        return (unitOfWork, chain) -> {
            List<Served> served = new ArrayList<>(1);
            unitOfWork.resources().put(SERVED, served);
            Object result;
            try {
                result = chain.proceed();
            } catch (ConcurrencyException conflict) {
                throw conflict;
            } catch (Exception refused) {
                // Nothing was appended; the refusal stands only if it was decided on the account's current state.
                for (Served account : served) {
                    requireCurrent(account, refused);
                }
                throw refused;
            } finally {
                unitOfWork.resources().remove(SERVED);
            }
            for (Served account : served) {
                if (!account.appended()) {
                    requireCurrent(account, null);
                }
            }
            return result;
        };
    }

    private void requireCurrent(Served account, Exception decided) {
        Long stored = lastStored(account.accountId());
        if (stored == null || stored != account.version()) {
            // The unit of work rolls back, Axon evicts the entry, and the gateway retries on the stored state.
            throw new ConcurrencyException("account " + account.accountId() + " changed on another node", decided);
        }
    }

    @Override
    public void put(Object key, Object value) {
        delegate.put(key, value);
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        return delegate.putIfAbsent(key, value);
    }

    @Override
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        return delegate.computeIfAbsent(key, valueSupplier);
    }

    @Override
    public boolean remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public void removeAll() {
        delegate.removeAll();
    }

    @Override
    public boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener cacheEntryListener) {
        return delegate.registerCacheEntryListener(cacheEntryListener);
    }

    @Override
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        delegate.computeIfPresent(key, update);
    }
}
