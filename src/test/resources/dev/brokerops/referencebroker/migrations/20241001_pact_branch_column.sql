-- Reference broker 1.2.0: publications name the consumer's branch; a data migration fills it for older rows.
-- (This file's name has no letter d on purpose: it is the newest migration of 1.2.0, see PROCEDURE.md's grep pitfall.)
-- migrate:up
ALTER TABLE pact_publications ADD COLUMN branch text;
-- migrate:down
ALTER TABLE pact_publications DROP COLUMN branch;
