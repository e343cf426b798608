package dev.tollgate.web.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The ledger on PostgreSQL, each ledger in a database of its own. */
class PostgresLedgerEndToEndTest extends LedgerEndToEndContract {
    private final List<String> databases = new ArrayList<>();

    @Override
    Map<String, String> freshStorage() {
        String database = Storage.newPostgresDatabase();
        databases.add(database);
        return Storage.postgres(database, Storage.tempDir());
    }

    @Override
    void releaseStorage() {
        databases.forEach(Storage::dropPostgresDatabase);
    }
}
