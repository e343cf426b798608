-- Which API key made each metered call (ADR 32): a team's usage by member. Calls reserved before holds named
-- their key have none; a replay of the "usage" group fills the column for every call whose events name one.
ALTER TABLE usage_call ADD COLUMN api_key_id VARCHAR(64);
