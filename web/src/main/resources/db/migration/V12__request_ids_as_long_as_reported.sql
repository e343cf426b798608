-- A reported usage's request_id is the client's own, up to 200 characters (ADR 30, the API's limit). The history and
-- usage read models kept 100, so a longer one stopped both at its charge for good (events are never edited): the
-- columns take what the API accepts. SET DATA TYPE is read alike by H2 and PostgreSQL.
ALTER TABLE ledger_entry ALTER COLUMN request_id SET DATA TYPE VARCHAR(200);
ALTER TABLE usage_call ALTER COLUMN request_id SET DATA TYPE VARCHAR(200);
