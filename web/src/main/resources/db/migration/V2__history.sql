-- Read model owned by the "history" processing group: one row per ledger entry. The id is the event's id.
CREATE TABLE ledger_entry (
    id                  VARCHAR(64)  NOT NULL PRIMARY KEY,
    account_id          VARCHAR(64)  NOT NULL,
    seq                 BIGINT       NOT NULL,
    type                VARCHAR(32)  NOT NULL,
    amount_nanos        BIGINT       NOT NULL,
    balance_after_nanos BIGINT       NOT NULL,
    at                  TIMESTAMP WITH TIME ZONE NOT NULL,
    counterparty        VARCHAR(100),
    model               VARCHAR(200),
    request_id          VARCHAR(100),
    description         VARCHAR(600)
);
CREATE UNIQUE INDEX ix_ledger_entry_account_seq ON ledger_entry (account_id, seq);

-- How far the "history" group has recorded each account's stream (readers wait on it for their own writes).
CREATE TABLE history_position (
    account_id VARCHAR(64) NOT NULL PRIMARY KEY,
    seq        BIGINT      NOT NULL
);
