-- Teams (ADR 32): who belongs to a team is identity, like users; the team's money is its ledger account
-- "team:{id}". A team key spends that account's money, up to its spend cap when it has one.
CREATE TABLE teams (
    id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    name       VARCHAR(100) NOT NULL,
    created_by VARCHAR(64)  NOT NULL REFERENCES users (id),
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE team_members (
    team_id  VARCHAR(64) NOT NULL REFERENCES teams (id),
    user_id  VARCHAR(64) NOT NULL REFERENCES users (id),
    role     VARCHAR(16) NOT NULL,
    added_at TIMESTAMP WITH TIME ZONE NOT NULL,
    -- What all of this member's team keys together may spend of the team's money; NULL = no cap of its own.
    spend_cap_nanos BIGINT,
    CONSTRAINT pk_team_members PRIMARY KEY (team_id, user_id)
);
CREATE INDEX ix_team_members_user ON team_members (user_id);

ALTER TABLE api_keys ADD COLUMN team_id VARCHAR(64);
ALTER TABLE api_keys ADD COLUMN spend_cap_nanos BIGINT;
ALTER TABLE api_keys ADD CONSTRAINT fk_api_keys_team FOREIGN KEY (team_id) REFERENCES teams (id);
CREATE INDEX ix_api_keys_team ON api_keys (team_id);

-- Retries of a team member's calls are remembered per member ("team:{id}/{user id}"), not per team.
ALTER TABLE idempotent_call ALTER COLUMN account_id SET DATA TYPE VARCHAR(160);
