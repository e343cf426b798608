package dev.tollgate.web.config;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.stereotype.Component;

/**
 * On PostgreSQL the driver sends a JDBC batch as one INSERT per row unless told to rewrite it into multi-row
 * INSERTs. The read models write a batch of up to 1,000 events in a few JDBC batches (ADR 15), so this is most of
 * a replay's database time. Applied before the pool opens its first connection; an operator's own setting of it in
 * {@code DATABASE_URL} wins.
 */
@Component
public class PostgresBatching implements BeanPostProcessor {
    static final String REWRITE = "reWriteBatchedInserts";

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (bean instanceof HikariDataSource pool && pool.getJdbcUrl() != null
                && pool.getJdbcUrl().startsWith("jdbc:postgresql:") && !pool.getJdbcUrl().contains(REWRITE)
                && !pool.getDataSourceProperties().containsKey(REWRITE)) {
            pool.addDataSourceProperty(REWRITE, "true");
        }
        return bean;
    }
}
