-- A counter per import job that moves whenever anything its views show
-- changes (articles, their image references, the analysed images), so a
-- long-lived process (`shotkeeper serve`) can keep the job's LaunchBrightly
-- import API answer built once and serve it again until the counter moves,
-- instead of rebuilding 20,000 images from SQL for every poll. Triggers,
-- not the writers, bump it: every writer (import, update, rollback, another
-- process such as the CLI) is covered without having to remember it.
CREATE TABLE job_view_versions (
    job_id  TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);

CREATE TRIGGER job_view_article_insert AFTER INSERT ON articles BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (NEW.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_article_update AFTER UPDATE ON articles BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (NEW.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_article_delete AFTER DELETE ON articles BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (OLD.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER job_view_image_insert AFTER INSERT ON images BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (NEW.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_image_update AFTER UPDATE ON images BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (NEW.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_image_delete AFTER DELETE ON images BEGIN
    INSERT INTO job_view_versions (job_id, version) VALUES (OLD.job_id, 1)
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;

-- A reference names its article, not the job: the job is the article's.
-- (An upsert whose rows come from a SELECT needs its WHERE for SQLite to
-- parse ON CONFLICT as the upsert, not as a join constraint.)
CREATE TRIGGER job_view_ref_insert AFTER INSERT ON article_images BEGIN
    INSERT INTO job_view_versions (job_id, version)
    SELECT job_id, 1 FROM articles WHERE id = NEW.article_id
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_ref_update AFTER UPDATE ON article_images BEGIN
    INSERT INTO job_view_versions (job_id, version)
    SELECT job_id, 1 FROM articles WHERE id = NEW.article_id
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER job_view_ref_delete AFTER DELETE ON article_images BEGIN
    INSERT INTO job_view_versions (job_id, version)
    SELECT job_id, 1 FROM articles WHERE id = OLD.article_id
    ON CONFLICT (job_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER job_view_job_delete AFTER DELETE ON jobs BEGIN
    DELETE FROM job_view_versions WHERE job_id = OLD.id;
END;
