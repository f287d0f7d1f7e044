-- Reference broker 1.1.0: lists of recent publications stay fast.
-- migrate:up
CREATE INDEX pact_publications_created_at ON pact_publications (created_at);
-- migrate:down
DROP INDEX pact_publications_created_at;
