-- The console's search index is brought up to date once per transaction (Store.Update runs
-- search-pending-apply before it commits), not at every change of a ticket: FTS5 writes what it
-- holds as a new segment at each statement after a change, so recording a backlog's 50 requests
-- in one transaction wrote ~100 segments (a new ticket, then its ente) and merged them. The
-- triggers keep the changes, in order, in tickets_fts_pending, with what the index needs to
-- delete a row (its old values) as the triggers of 0009_console_search gave it.
CREATE TABLE tickets_fts_pending (
	seq        INTEGER PRIMARY KEY,
	op         TEXT,    -- 'delete', or NULL to index the row
	row        INTEGER NOT NULL,
	id         TEXT,
	ente_name  TEXT,
	ente_cf    TEXT,
	ente_ipa   TEXT,
	requester  TEXT,
	subject    TEXT
);
CREATE INDEX tickets_fts_pending_row ON tickets_fts_pending (row, seq);

DROP TRIGGER tickets_fts_insert;
DROP TRIGGER tickets_fts_delete;
DROP TRIGGER tickets_fts_update;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
	INSERT INTO tickets_fts_pending (op, row, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES (NULL, new.rowid, new.id, new.ente_name, new.ente_cf, new.ente_ipa, new.requester, new.subject);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
	INSERT INTO tickets_fts_pending (op, row, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES ('delete', old.rowid, old.id, old.ente_name, old.ente_cf, old.ente_ipa, old.requester, old.subject);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF id, ente_name, ente_cf, ente_ipa, requester, subject ON tickets BEGIN
	INSERT INTO tickets_fts_pending (op, row, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES ('delete', old.rowid, old.id, old.ente_name, old.ente_cf, old.ente_ipa, old.requester, old.subject);
	INSERT INTO tickets_fts_pending (op, row, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES (NULL, new.rowid, new.id, new.ente_name, new.ente_cf, new.ente_ipa, new.requester, new.subject);
END;
