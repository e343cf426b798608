-- First answers of metered calls sent with an Idempotency-Key, so a retry gets the same answer with no second
-- upstream call and no second charge. Keyed per account; not a read model (nothing here is rebuilt from events).
CREATE TABLE idempotent_call (
    account_id  VARCHAR(64)  NOT NULL,
    idem_key    VARCHAR(255) NOT NULL,
    fingerprint VARCHAR(64)  NOT NULL,
    status      VARCHAR(16)  NOT NULL,
    response    TEXT,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);
