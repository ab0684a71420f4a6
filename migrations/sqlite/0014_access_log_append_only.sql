-- Issue 8: the access log is append-only in the database itself, not only by convention in the
-- application: a bug, a careless script or a compromised clerk session cannot rewrite who looked
-- at a resident's data. Rows may be inserted; updates and deletes abort.
-- (Numbered after the migrations that change the table, so a SQLite table rebuild keeps them.)
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;

CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE(ABORT, 'access_log is append-only');
END;
