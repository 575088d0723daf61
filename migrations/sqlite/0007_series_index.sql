-- arshjul schema (sqlite): nothing to do. The missed transition (issue 10) looks up the
-- later occurrences of a checkpoint's series by a range of ids; SQLite's primary key already
-- compares bytes (BINARY). This step keeps the two engines' schema versions in step with
-- PostgreSQL's 0007_series_index.sql.
SELECT 1;
