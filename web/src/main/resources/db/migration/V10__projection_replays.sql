-- Replays of read models, asked of any node and carried out by the node that holds the read model's token (ADR 46).
-- One row per read model: a request adds one to `requested`; the node that resets the token sets `carried_out` to
-- the `requested` it read, in the reset's own transaction. A replay is pending while requested > carried_out.
CREATE TABLE projection_replay (
    processor_name VARCHAR(255) NOT NULL PRIMARY KEY,
    requested      BIGINT       NOT NULL,
    carried_out    BIGINT       NOT NULL,
    requested_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    requested_on   VARCHAR(255) NOT NULL,
    carried_out_at TIMESTAMP WITH TIME ZONE,
    carried_out_on VARCHAR(255)
);
