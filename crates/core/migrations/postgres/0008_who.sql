-- PostgreSQL twin of migrations/sqlite 0008_who.sql: who started each import
-- job and who made each revision (`--as NAME`, by default the OS user).
-- NULL for rows written before. Byte-order text like every column here.
ALTER TABLE jobs ADD COLUMN started_by TEXT COLLATE "C";
ALTER TABLE revisions ADD COLUMN author TEXT COLLATE "C";
