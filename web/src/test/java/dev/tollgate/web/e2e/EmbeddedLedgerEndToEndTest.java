package dev.tollgate.web.e2e;

import java.util.Map;

/** The ledger on the embedded default: a file-backed database in a data folder, zero setup. */
class EmbeddedLedgerEndToEndTest extends LedgerEndToEndContract {
    @Override
    Map<String, String> freshStorage() {
        return Storage.embedded(Storage.tempDir());
    }
}
