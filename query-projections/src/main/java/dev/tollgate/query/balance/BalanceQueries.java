package dev.tollgate.query.balance;

import dev.tollgate.api.money.Money;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;

/** Reads the balance read model. It may trail the ledger by the projection's lag. */
@Component
public class BalanceQueries {
    private static final RowMapper<BalanceRow> ROW = (rs, i) -> new BalanceRow(rs.getString("account_id"),
            new Money(rs.getLong("balance_nanos")), new Money(rs.getLong("held_nanos")), rs.getBoolean("open"));

    private final JdbcTemplate jdbc;

    public BalanceQueries(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<BalanceRow> find(String accountId) {
        return jdbc.query("SELECT * FROM account_balance WHERE account_id = ?", ROW, accountId).stream().findFirst();
    }

    public List<BalanceRow> all() {
        return jdbc.query("SELECT * FROM account_balance ORDER BY account_id", ROW);
    }
}
