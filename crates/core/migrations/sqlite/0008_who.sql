-- Who did what, for a team sharing one database: the name of the person
-- who started each import job and who made each revision (the name set
-- with `--as NAME` or in the desktop app, by default the OS user). NULL for
-- rows written before.
ALTER TABLE jobs ADD COLUMN started_by TEXT;
ALTER TABLE revisions ADD COLUMN author TEXT;
