-- Reference broker 2.1.0: 2.x looks publications up by content digest.
-- (This file's name has no letter d on purpose: it is the newest migration of 2.1.0, see PROCEDURE.md's grep pitfall.)
-- migrate:up
CREATE INDEX pact_publications_content_sha256 ON pact_publications (content_sha256);
-- migrate:down
DROP INDEX pact_publications_content_sha256;
