-- arshjul schema (postgres): the missed transition (issue 10) looks up the later occurrences
-- of a checkpoint's series by id prefix (`{series}/…`, a range of ids). The primary key's
-- index follows the database's collation, under which '/' may not sort as in ASCII (sv_SE,
-- en_US ignore punctuation at first level); this index compares bytes, as the query does.
CREATE INDEX IF NOT EXISTS checkpoints_id_bytes ON checkpoints (id COLLATE "C");
