-- Read model owned by the "usage" processing group: one row per metered call (per hold), from its events.
CREATE TABLE usage_call (
    hold_id       VARCHAR(120) NOT NULL PRIMARY KEY,
    account_id    VARCHAR(64)  NOT NULL,
    request_id    VARCHAR(100),
    reserved_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at      TIMESTAMP WITH TIME ZONE,
    call_day      DATE,
    model         VARCHAR(200),
    input_tokens  BIGINT       NOT NULL DEFAULT 0,
    output_tokens BIGINT       NOT NULL DEFAULT 0,
    token_source  VARCHAR(16),
    cost_nanos    BIGINT       NOT NULL DEFAULT 0,
    latency_ms    BIGINT,
    status        VARCHAR(16)  NOT NULL
);
CREATE INDEX ix_usage_call_account_time ON usage_call (account_id, reserved_at);

-- How far the "usage" group has recorded each account's stream (readers wait on it for their own calls).
CREATE TABLE usage_position (
    account_id VARCHAR(64) NOT NULL PRIMARY KEY,
    seq        BIGINT      NOT NULL
);
