-- PostgreSQL twin of migrations/sqlite 0006_job_view_versions.sql: same table
-- and the same counter moves. What differs: INTEGER -> BIGINT; SQLite's
-- trigger bodies become PL/pgSQL trigger functions (PostgreSQL triggers can
-- only call a function); and the bump skips a job that no longer exists (see
-- job_view_bump below: needed for deleting a job to leave no counter behind).
-- A counter per import job that moves whenever anything its views show
-- changes (articles, their image references, the analysed images), so a
-- long-lived process (`shotkeeper serve`) can keep the job's LaunchBrightly
-- import API answer built once and serve it again until the counter moves,
-- instead of rebuilding 20,000 images from SQL for every poll. Triggers,
-- not the writers, bump it: every writer (import, update, rollback, another
-- process such as the CLI) is covered without having to remember it.
-- On PostgreSQL the counter row is also a lock: a transaction that writes
-- anything of a job holds the job's row until it commits, so the writers of
-- one job take turns, as all writers do in SQLite. Unlike SQLite, two such
-- transactions can deadlock when one also waits for a row the other wrote
-- first (PostgreSQL then aborts one with SQLSTATE 40P01; running it again
-- succeeds).
CREATE TABLE job_view_versions (
    job_id  TEXT COLLATE "C" PRIMARY KEY,
    version BIGINT NOT NULL
);

-- Moves the counter of one job (creating it at 1).
-- Deleting a job cascades to its articles, images and references, and those
-- cascaded deletes fire the row triggers below. In SQLite the job's own
-- AFTER DELETE trigger runs after its cascades and deletes the counter last.
-- In PostgreSQL it is the other way round: the cascades are run by the
-- foreign key's own AFTER trigger on jobs, and the AFTER triggers of the
-- rows they delete are queued behind job_view_job_delete, so they would
-- create the counter again right after it was deleted (without the check
-- below, scripts/check-postgres-schema.sh fails). Skipping jobs already
-- gone makes the end state SQLite's: no counter for a deleted job. A live
-- job always passes the check: articles and images reference it.
CREATE FUNCTION job_view_bump(changed_job TEXT) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_view_versions (job_id, version)
    SELECT changed_job, 1 WHERE EXISTS (SELECT 1 FROM jobs WHERE id = changed_job)
    ON CONFLICT (job_id) DO UPDATE SET version = job_view_versions.version + 1;
END;
$$;

-- articles and images name their job themselves.
CREATE FUNCTION job_view_bump_by_job_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM job_view_bump(OLD.job_id);
    ELSE
        PERFORM job_view_bump(NEW.job_id);
    END IF;
    RETURN NULL;  -- AFTER trigger: the return value is ignored
END;
$$;

-- A reference names its article, not the job: the job is the article's.
-- (When the article itself is being deleted, the cascaded reference deletes
-- find no article and move nothing; the article's own trigger moved it.)
CREATE FUNCTION job_view_bump_by_article_id() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changed_job TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT job_id INTO changed_job FROM articles WHERE id = OLD.article_id;
    ELSE
        SELECT job_id INTO changed_job FROM articles WHERE id = NEW.article_id;
    END IF;
    IF changed_job IS NOT NULL THEN
        PERFORM job_view_bump(changed_job);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_view_article_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();
CREATE TRIGGER job_view_article_update AFTER UPDATE ON articles
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();
CREATE TRIGGER job_view_article_delete AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();

CREATE TRIGGER job_view_image_insert AFTER INSERT ON images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();
CREATE TRIGGER job_view_image_update AFTER UPDATE ON images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();
CREATE TRIGGER job_view_image_delete AFTER DELETE ON images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_job_id();

CREATE TRIGGER job_view_ref_insert AFTER INSERT ON article_images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_article_id();
CREATE TRIGGER job_view_ref_update AFTER UPDATE ON article_images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_article_id();
CREATE TRIGGER job_view_ref_delete AFTER DELETE ON article_images
    FOR EACH ROW EXECUTE FUNCTION job_view_bump_by_article_id();

CREATE FUNCTION job_view_forget_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM job_view_versions WHERE job_id = OLD.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER job_view_job_delete AFTER DELETE ON jobs
    FOR EACH ROW EXECUTE FUNCTION job_view_forget_job();
