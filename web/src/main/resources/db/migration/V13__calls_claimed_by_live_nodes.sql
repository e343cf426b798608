-- Which node is running a pending metered call, and when each node last said it was running (ADR 55): a retry takes
-- over the key of a call whose node stopped, rather than waiting on it for ever.
ALTER TABLE idempotent_call ADD COLUMN claimed_by VARCHAR(64);
CREATE TABLE node_heartbeat (
    node_id VARCHAR(64) PRIMARY KEY,
    seen_at TIMESTAMP WITH TIME ZONE NOT NULL
);
