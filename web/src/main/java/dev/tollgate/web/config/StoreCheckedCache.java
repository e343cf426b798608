package dev.tollgate.web.config;

import java.util.List;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.AggregateCacheEntry;
import org.axonframework.eventsourcing.EventSourcedAggregate;
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

    private final Cache delegate;
    private final JdbcTemplate jdbc;

    public StoreCheckedCache(Cache delegate, JdbcTemplate jdbc) {
        this.delegate = delegate;
        this.jdbc = jdbc;
    }

    @Override
    public <K, V> V get(K key) {
        V value = delegate.get(key);
        if (value instanceof AggregateCacheEntry<?> entry && !current(key, entry)) {
            delegate.remove(key);
            return null;
        }
        return value;
    }

    private boolean current(Object key, AggregateCacheEntry<?> entry) {
        // An entry made in this process keeps its live aggregate, which recreateAggregate hands back untouched.
        EventSourcedAggregate<?> aggregate = entry.recreateAggregate(null, null, null, null);
        Long cached = aggregate == null ? null : aggregate.version();
        List<Long> last = jdbc.queryForList(LAST_SEQUENCE, Long.class, key.toString());
        Long stored = last.isEmpty() ? null : last.get(0);
        return cached != null && cached.equals(stored);
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
