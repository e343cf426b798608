-- Idempotency keys of metered calls are forgotten after a day (ADR 19); the sweep finds them by age.
CREATE INDEX ix_idempotent_call_created ON idempotent_call (created_at);
