-- Reference broker 2.0.1, the broken release: a table nothing reads or writes, so that a rollback from 2.0.1 has a
-- migration to revert and the database version visibly goes back to 2.0.0's.
-- migrate:up
CREATE TABLE publication_notes (
    id   bigserial PRIMARY KEY,
    note text      NOT NULL
);
-- migrate:down
DROP TABLE publication_notes;
