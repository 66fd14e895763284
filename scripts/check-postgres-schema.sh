#!/usr/bin/env bash
# Developer check (not part of CI): do the PostgreSQL migrations
# (crates/core/migrations/postgres) build the same store as the SQLite ones
# and behave the same? Starts a throwaway server with with-postgres.sh,
# applies both sets of migrations (PostgreSQL into a scratch database whose
# default collation is ICU en-US, like a team server set up with a non-C
# locale; SQLite into a temporary file with the sqlite3 shell), then compares:
#   1. the structure: columns (types mapped INTEGER->bigint, BLOB->bytea),
#      NOT NULL, defaults, primary keys, unique keys, indexes, foreign keys
#      with their ON DELETE, triggers;
#   2. the behaviour of one scenario run on both engines: the job view
#      counters after every insert/update/delete of articles, references and
#      images, INSERT ... ON CONFLICT DO NOTHING on the articles key, deleting
#      an article and a whole job (cascades, no counter left), rowid order and
#      the import's rowid paging, byte-order sorting of text;
#   3. PostgreSQL's answers against the expected ones written below (derived
#      from SQLite's triggers), so the check still means something without
#      sqlite3.
# Exits non-zero on any difference.
#
#   bash scripts/check-postgres-schema.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${SHOTKEEPER_TEST_POSTGRES_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "$@"
fi

PG_MIGRATIONS=crates/core/migrations/postgres
if [ -d crates/core/migrations/sqlite ]; then
  SQLITE_MIGRATIONS=crates/core/migrations/sqlite
else
  SQLITE_MIGRATIONS=crates/core/migrations
fi

WORK=$(mktemp -d /tmp/shotkeeper-schema-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
FAILED=0
fail() { echo "FAIL: $*" >&2; FAILED=1; }
ok() { echo "ok:   $*"; }

DB=shotkeeper_schema_check
ADMIN_URL=$SHOTKEEPER_TEST_POSTGRES_URL
URL=${ADMIN_URL%/*}/$DB
psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$ADMIN_URL" "$@"; }
psql_db() { psql -X -q -v ON_ERROR_STOP=1 -At -F '|' "$URL" "$@"; }

psql_admin -c "DROP DATABASE IF EXISTS $DB"
psql_admin -c "CREATE DATABASE $DB TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'"

mapfile -t pg_files < <(ls "$PG_MIGRATIONS"/*.sql | sort)
mapfile -t sqlite_files < <(ls "$SQLITE_MIGRATIONS"/*.sql | sort)
if [ "$(printf '%s\n' "${pg_files[@]##*/}")" != "$(printf '%s\n' "${sqlite_files[@]##*/}")" ]; then
  fail "migration file names differ: $PG_MIGRATIONS has ${pg_files[*]##*/}; $SQLITE_MIGRATIONS has ${sqlite_files[*]##*/}"
else
  ok "same ${#pg_files[@]} migration file names in $PG_MIGRATIONS and $SQLITE_MIGRATIONS"
fi
for f in "${pg_files[@]}"; do
  psql_db -f "$f" || { echo "FAIL: $f does not apply on PostgreSQL" >&2; exit 1; }
done
ok "the PostgreSQL migrations apply in order with ON_ERROR_STOP"

HAVE_SQLITE=0
if command -v sqlite3 >/dev/null; then
  HAVE_SQLITE=1
  SQLITE_DB=$WORK/store.db
  for f in "${sqlite_files[@]}"; do
    sqlite3 -bail "$SQLITE_DB" <"$f" || { echo "FAIL: $f does not apply on SQLite" >&2; exit 1; }
  done
  sqlite_q() { sqlite3 -bail -batch -noheader -separator '|' "$SQLITE_DB" "$@"; }
else
  echo "note: sqlite3 is not installed: comparing PostgreSQL with the expected answers only"
fi

compare() { # label, file from PostgreSQL, file from SQLite
  if [ ! -s "$2" ] || [ ! -s "$3" ]; then
    fail "$1: nothing to compare (a catalogue query returned no rows)"
  elif diff -u "$3" "$2" >"$WORK/diff"; then
    ok "$1: PostgreSQL matches SQLite"
  else
    fail "$1 differs (- SQLite, + PostgreSQL):"
    cat "$WORK/diff" >&2
  fi
}

# ---------------------------------------------------------------- structure
# The three insertion-order columns exist only on PostgreSQL, on purpose.
PG_ONLY_COLUMNS="('articles','rowid'),('revisions','rowid'),('api_keys','rowid')"

psql_db >"$WORK/pg_columns" <<SQL
SELECT c.table_name, c.column_name, c.data_type,
       CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END,
       COALESCE(regexp_replace(c.column_default, '::(text|bigint)$', ''), ''),
       COALESCE((SELECT k.ordinal_position FROM information_schema.key_column_usage k
                   JOIN information_schema.table_constraints t
                     ON t.constraint_name = k.constraint_name AND t.table_name = k.table_name
                  WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name
                    AND k.column_name = c.column_name), 0),
       COALESCE(c.collation_name, '')
  FROM information_schema.columns c
 WHERE c.table_schema = 'public'
   AND (c.table_name, c.column_name) NOT IN ($PG_ONLY_COLUMNS)
 ORDER BY 1, 2;
SQL
# Every text column sorts byte by byte whatever the database's locale.
if awk -F'|' '$3 == "text" && $7 != "C"' "$WORK/pg_columns" | grep -q .; then
  fail "text columns without COLLATE \"C\": $(awk -F'|' '$3 == "text" && $7 != "C" {print $1"."$2}' "$WORK/pg_columns" | tr '\n' ' ')"
else
  ok "every text column is COLLATE \"C\" (byte order, like SQLite)"
fi
cut -d'|' -f1-6 "$WORK/pg_columns" >"$WORK/pg_columns6"

psql_db >"$WORK/pg_rowid" <<'SQL'
SELECT table_name, data_type, is_identity, identity_generation FROM information_schema.columns
 WHERE table_schema = 'public' AND column_name = 'rowid' ORDER BY 1;
SQL
printf '%s\n' 'api_keys|bigint|YES|ALWAYS' 'articles|bigint|YES|ALWAYS' 'revisions|bigint|YES|ALWAYS' >"$WORK/want_rowid"
if diff -u "$WORK/want_rowid" "$WORK/pg_rowid" >"$WORK/diff"; then
  ok "articles, revisions and api_keys have rowid BIGINT GENERATED ALWAYS AS IDENTITY"
else
  fail "rowid columns (- wanted, + PostgreSQL):"; cat "$WORK/diff" >&2
fi

psql_db >"$WORK/pg_indexes" <<'SQL'
SELECT t.relname,
       (SELECT string_agg(a.attname, ',' ORDER BY k.ord)
          FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum),
       CASE WHEN i.indisunique THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) THEN '-' ELSE x.relname END
  FROM pg_index i
  JOIN pg_class x ON x.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = 'public' AND x.relname <> 'articles_job_rowid'
 ORDER BY 1, 2, 4;
SQL
psql_db >"$WORK/pg_fks" <<'SQL'
SELECT c.conrelid::regclass::text,
       (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)),
       c.confrelid::regclass::text,
       (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)),
       CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT'
                          WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
  FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
 WHERE c.contype = 'f' AND n.nspname = 'public'
 ORDER BY 1, 2;
SQL
psql_db >"$WORK/pg_triggers" <<'SQL'
SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE NOT t.tgisinternal ORDER BY 1;
SQL

if [ "$HAVE_SQLITE" -eq 1 ]; then
  # SQLite lets a non-INTEGER PRIMARY KEY column hold NULL (a documented
  # quirk); PostgreSQL does not. The store never writes a NULL key, so a
  # key column counts as NOT NULL here.
  sqlite_q >"$WORK/sqlite_columns6" <<'SQL'
SELECT m.name, p.name,
       CASE p.type WHEN 'INTEGER' THEN 'bigint' WHEN 'TEXT' THEN 'text' WHEN 'BLOB' THEN 'bytea' ELSE p.type END,
       CASE WHEN p."notnull" = 1 OR p.pk > 0 THEN 1 ELSE 0 END,
       COALESCE(p.dflt_value, ''), p.pk
  FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\_sqlx%' ESCAPE '\'
 ORDER BY 1, 2;
SQL
  sqlite_q >"$WORK/sqlite_indexes" <<'SQL'
SELECT m.name,
       (SELECT group_concat(name, ',') FROM (SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)),
       il."unique",
       CASE il.origin WHEN 'c' THEN il.name ELSE '-' END
  FROM sqlite_master m, pragma_index_list(m.name) il
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '\_sqlx%' ESCAPE '\'
 ORDER BY 1, 2, 4;
SQL
  sqlite_q >"$WORK/sqlite_fks" <<'SQL'
SELECT m.name, f."from", f."table", f."to", f.on_delete
  FROM sqlite_master m, pragma_foreign_key_list(m.name) f
 WHERE m.type = 'table' ORDER BY 1, 2;
SQL
  sqlite_q >"$WORK/sqlite_triggers" <<'SQL'
SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY 1;
SQL
  compare "columns (type, NOT NULL, default, primary key)" "$WORK/pg_columns6" "$WORK/sqlite_columns6"
  compare "indexes and unique keys" "$WORK/pg_indexes" "$WORK/sqlite_indexes"
  compare "foreign keys and their ON DELETE" "$WORK/pg_fks" "$WORK/sqlite_fks"
  compare "triggers" "$WORK/pg_triggers" "$WORK/sqlite_triggers"
fi
if grep -qx 'articles|job_id,rowid|0|articles_job_rowid' <(psql_db -c "
  SELECT t.relname, string_agg(a.attname, ',' ORDER BY k.ord), 0, x.relname
    FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid,
         unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attnum = k.attnum
   WHERE a.attrelid = i.indrelid AND x.relname = 'articles_job_rowid'
   GROUP BY t.relname, x.relname"); then
  ok "index articles_job_rowid on articles(job_id, rowid) for the import's paging"
else
  fail "index articles_job_rowid on articles(job_id, rowid) is missing"
fi

# ---------------------------------------------------------------- behaviour
# One scenario in SQL both engines read the same way. `v` lines are the job
# view counters after each step.
cat >"$WORK/scenario.sql" <<'SQL'
INSERT INTO integrations (id, label, platform, provider, secret_source, created_at, updated_at)
VALUES ('i1', 'Docs', 'zendesk', 'zendesk', '{"kind":"keychain"}', 't0', 't0');
INSERT INTO jobs (id, integration_id, name, status, created_at, updated_at) VALUES ('j1', 'i1', 'first', 'running', 't1', 't1');
INSERT INTO jobs (id, integration_id, name, status, created_at, updated_at) VALUES ('j2', 'i1', 'second', 'running', 't2', 't2');
SELECT 'v jobs created', COUNT(*) FROM job_view_versions;

INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('a1', 'j1', '101', 'Getting started', 'https://hc.example/101', 1, 'pending', 't3', 't3');
SELECT 'v article insert', job_id, version FROM job_view_versions ORDER BY job_id;
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('a2', 'j1', '102', 'Billing', 'https://hc.example/102', 0, 'pending', 't4', 't4');
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('b1', 'j2', '201', 'Other job', 'https://hc.example/201', 1, 'pending', 't5', 't5');
SELECT 'v two more articles', job_id, version FROM job_view_versions ORDER BY job_id;

INSERT INTO article_images (article_id, position, url, alt) VALUES ('a1', 0, 'https://img.example/a.png', 'a');
INSERT INTO article_images (article_id, position, url, alt) VALUES ('a1', 1, 'https://img.example/B.png', 'b');
INSERT INTO article_images (article_id, position, url, alt) VALUES ('a2', 0, 'https://img.example/c.png', 'c');
SELECT 'v reference inserts', job_id, version FROM job_view_versions ORDER BY job_id;

INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, fetched_at)
VALUES ('j1', 'https://img.example/a.png', 'a.png', 200, 'png', 10, 10, 100, 'h1', 't6');
SELECT 'v image insert', job_id, version FROM job_view_versions ORDER BY job_id;

UPDATE articles SET status = 'completed' WHERE id = 'a1';
SELECT 'v article update', job_id, version FROM job_view_versions ORDER BY job_id;
UPDATE article_images SET alt = 'changed' WHERE article_id = 'a1';
SELECT 'v two reference updates', job_id, version FROM job_view_versions ORDER BY job_id;
UPDATE images SET size = 200 WHERE job_id = 'j1';
SELECT 'v image update', job_id, version FROM job_view_versions ORDER BY job_id;
UPDATE articles SET title = title WHERE id = 'nobody';
SELECT 'v update of no row', job_id, version FROM job_view_versions ORDER BY job_id;

-- The import inserts articles with this upsert: a second listing of the
-- same article is skipped, changes nothing and moves no counter.
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('a1-again', 'j1', '101', 'Changed title', 'https://hc.example/101', 1, 'pending', 't7', 't7')
ON CONFLICT DO NOTHING;
SELECT 'v skipped duplicate', job_id, version FROM job_view_versions ORDER BY job_id;
SELECT 'articles of j1', id, title FROM articles WHERE job_id = 'j1' ORDER BY id;

-- Writing an analysed image again (the import's upsert of one image).
INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, fetched_at)
VALUES ('j1', 'https://img.example/a.png', 'a.png', 200, 'png', 10, 10, 300, 'h2', 't8')
ON CONFLICT (job_id, url) DO UPDATE SET size = excluded.size, hash = excluded.hash;
SELECT 'v image upsert', job_id, version FROM job_view_versions ORDER BY job_id;
SELECT 'images of j1', url, size, hash FROM images WHERE job_id = 'j1';

-- Text sorts byte by byte: 'B' before 'a'.
SELECT 'references by url', url FROM article_images ORDER BY url;

DELETE FROM article_images WHERE article_id = 'a1' AND position = 1;
SELECT 'v reference delete', job_id, version FROM job_view_versions ORDER BY job_id;
DELETE FROM images WHERE job_id = 'j1';
SELECT 'v image delete', job_id, version FROM job_view_versions ORDER BY job_id;
-- The article's own trigger moves the counter once; its cascaded reference
-- no longer finds the article, so it moves nothing.
DELETE FROM articles WHERE id = 'a1';
SELECT 'v article delete with a reference', job_id, version FROM job_view_versions ORDER BY job_id;
SELECT 'references left', COUNT(*) FROM article_images;

-- Deleting a job takes everything of it, its counter included; the other
-- job is untouched.
INSERT INTO images (job_id, url, name, status_code, kind, width, height, size, hash, fetched_at)
VALUES ('j1', 'https://img.example/c.png', 'c.png', 200, 'png', 10, 10, 100, 'h3', 't9');
DELETE FROM jobs WHERE id = 'j1';
SELECT 'v job delete', job_id, version FROM job_view_versions ORDER BY job_id;
SELECT 'rows of j1 left',
       (SELECT COUNT(*) FROM articles WHERE job_id = 'j1')
     + (SELECT COUNT(*) FROM images WHERE job_id = 'j1')
     + (SELECT COUNT(*) FROM article_images WHERE article_id IN ('a1', 'a2'))
     + (SELECT COUNT(*) FROM job_view_versions WHERE job_id = 'j1');

-- Insertion order: rowid follows the order rows were written, not their ids.
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('zz', 'j2', '205', 't', 'u', 1, 'pending', 'o1', 'o1');
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('mm', 'j2', '203', 't', 'u', 1, 'pending', 'o2', 'o2');
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('dup', 'j2', '205', 't', 'u', 1, 'pending', 'o3', 'o3') ON CONFLICT DO NOTHING;
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('aa', 'j2', '204', 't', 'u', 1, 'completed', 'o4', 'o4');
INSERT INTO articles (id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
VALUES ('kk', 'j2', '202', 't', 'u', 1, 'pending', 'o5', 'o5');
SELECT 'j2 by rowid', id FROM articles WHERE job_id = 'j2' ORDER BY rowid;
SELECT 'rowid out of insertion order', COUNT(*) FROM articles x, articles y
 WHERE x.job_id = 'j2' AND y.job_id = 'j2' AND x.created_at LIKE 'o%' AND y.created_at LIKE 'o%'
   AND x.rowid < y.rowid AND x.created_at > y.created_at;
-- The import's paging: pending articles after the one it stopped at.
SELECT 'page after zz', id FROM articles
 WHERE job_id = 'j2' AND status = 'pending' AND rowid > (SELECT rowid FROM articles WHERE id = 'zz')
 ORDER BY rowid LIMIT 2;
SELECT 'v end', job_id, version FROM job_view_versions ORDER BY job_id;
SQL

cat >"$WORK/expected" <<'EOF'
v jobs created|0
v article insert|j1|1
v two more articles|j1|2
v two more articles|j2|1
v reference inserts|j1|5
v reference inserts|j2|1
v image insert|j1|6
v image insert|j2|1
v article update|j1|7
v article update|j2|1
v two reference updates|j1|9
v two reference updates|j2|1
v image update|j1|10
v image update|j2|1
v update of no row|j1|10
v update of no row|j2|1
v skipped duplicate|j1|10
v skipped duplicate|j2|1
articles of j1|a1|Getting started
articles of j1|a2|Billing
v image upsert|j1|11
v image upsert|j2|1
images of j1|https://img.example/a.png|300|h2
references by url|https://img.example/B.png
references by url|https://img.example/a.png
references by url|https://img.example/c.png
v reference delete|j1|12
v reference delete|j2|1
v image delete|j1|13
v image delete|j2|1
v article delete with a reference|j1|14
v article delete with a reference|j2|1
references left|1
v job delete|j2|1
rows of j1 left|0
j2 by rowid|b1
j2 by rowid|zz
j2 by rowid|mm
j2 by rowid|aa
j2 by rowid|kk
rowid out of insertion order|0
page after zz|mm
page after zz|kk
v end|j2|5
EOF

psql_db -f "$WORK/scenario.sql" >"$WORK/pg_scenario" 2>&1 || fail "the scenario failed on PostgreSQL: $(cat "$WORK/pg_scenario")"
if diff -u "$WORK/expected" "$WORK/pg_scenario" >"$WORK/diff"; then
  ok "scenario: PostgreSQL gives the expected answers ($(wc -l <"$WORK/expected") lines)"
else
  fail "scenario on PostgreSQL (- expected, + PostgreSQL):"; cat "$WORK/diff" >&2
fi
if [ "$HAVE_SQLITE" -eq 1 ]; then
  { echo 'PRAGMA foreign_keys = ON;'; cat "$WORK/scenario.sql"; } | sqlite_q >"$WORK/sqlite_scenario" 2>&1 ||
    fail "the scenario failed on SQLite: $(cat "$WORK/sqlite_scenario")"
  compare "scenario (counters, cascades, ON CONFLICT, rowid order and paging, text order)" "$WORK/pg_scenario" "$WORK/sqlite_scenario"
fi

# rowid keeps growing; the identity cannot be written by hand.
if psql_db -c "INSERT INTO articles (rowid, id, job_id, external_id, title, url, is_published, status, created_at, updated_at)
               VALUES (1, 'forced', 'j2', '999', 't', 'u', 1, 'pending', 't', 't')" 2>/dev/null; then
  fail "an INSERT could set articles.rowid by hand (it must be GENERATED ALWAYS)"
else
  ok "articles.rowid cannot be set by an INSERT (GENERATED ALWAYS)"
fi

# Blobs round-trip as bytes.
psql_db -c "INSERT INTO sealed_secrets VALUES ('i1', '\\x00ff10'::bytea, '\\x0102'::bytea, 't')"
if [ "$(psql_db -c "SELECT encode(nonce, 'hex') || '|' || length(ciphertext) FROM sealed_secrets")" = "00ff10|2" ]; then
  ok "sealed_secrets keeps nonce and ciphertext as bytes"
else
  fail "sealed_secrets does not round-trip bytes"
fi

psql_admin -c "DROP DATABASE $DB"
if [ "$FAILED" -ne 0 ]; then
  echo "check-postgres-schema: differences found (above)." >&2
  exit 1
fi
echo "check-postgres-schema: the PostgreSQL migrations match SQLite's."
