-- Which node is running a pending metered call, and when each node last said it was running (ADR 55): a retry takes
-- over the key of a call whose node stopped, rather than waiting on it for ever. Written to run again on a ledger it
-- already changed (as every migration after V10 is).
ALTER TABLE idempotent_call ADD COLUMN IF NOT EXISTS claimed_by VARCHAR(64);
CREATE TABLE IF NOT EXISTS node_heartbeat (
    node_id VARCHAR(64) PRIMARY KEY,
    seen_at TIMESTAMP WITH TIME ZONE NOT NULL
);
