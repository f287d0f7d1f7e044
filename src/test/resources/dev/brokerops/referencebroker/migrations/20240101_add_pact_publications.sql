-- Reference broker 1.0.0: the table every version's writer publishes pacts into.
-- migrate:up
CREATE TABLE pact_publications (
    id               bigserial   PRIMARY KEY,
    writer_id        text        NOT NULL,
    sequence         bigint      NOT NULL,
    writer_version   text        NOT NULL,
    consumer         text        NOT NULL,
    provider         text        NOT NULL,
    consumer_version text        NOT NULL,
    content          text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (writer_id, sequence)
);
-- migrate:down
DROP TABLE pact_publications;
