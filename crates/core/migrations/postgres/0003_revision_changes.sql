-- PostgreSQL twin of migrations/sqlite 0003_revision_changes.sql; only the
-- column's collation differs (COLLATE "C", byte order like SQLite).
-- Every URL an update changed, with its exact place in the article (JSON
-- list of html::RefChange), so that a rollback after later edits puts back
-- exactly those places and no others. '[]' for revisions written before.
ALTER TABLE revisions ADD COLUMN ref_changes TEXT COLLATE "C" NOT NULL DEFAULT '[]';
