-- arshjul schema v5 (sqlite): indexes for the web pages.
-- The overview reads one organisation's checkpoints in a date range (a läsår).
CREATE INDEX checkpoints_org_due ON checkpoints (organisation, due);
-- Every signed-in request looks its person up by email, case-insensitively.
CREATE INDEX people_email ON people (lower(email));
