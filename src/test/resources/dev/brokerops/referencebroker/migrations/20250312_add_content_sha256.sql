-- Reference broker 2.0.0, the expand step: 2.x writes and reads content_sha256; 1.x keeps working because the
-- column is nullable, and the rows 1.x writes meanwhile are filled by the data migration FillMissingContentSha256.
-- migrate:up
ALTER TABLE pact_publications ADD COLUMN content_sha256 text;
-- migrate:down
ALTER TABLE pact_publications DROP COLUMN content_sha256;
