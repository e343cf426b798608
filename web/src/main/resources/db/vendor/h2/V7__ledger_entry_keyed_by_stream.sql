-- A history row is found by its account and place in the account's stream (the unique index of V2), never by the
-- event id; the id's own index only cost every insert a random b-tree write. The id stays as a column. (ADR 22)
ALTER TABLE ledger_entry DROP PRIMARY KEY;
