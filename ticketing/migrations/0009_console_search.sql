-- The console's search: a full-text index (FTS5) over what staff search a case by, kept in
-- step with tickets by triggers (only when those columns change: touching updated_at on every
-- event does not rewrite the index).
CREATE VIRTUAL TABLE tickets_fts USING fts5(
	id, ente_name, ente_cf, ente_ipa, requester, subject,
	content = 'tickets', tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO tickets_fts (rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
	SELECT rowid, id, ente_name, ente_cf, ente_ipa, requester, subject FROM tickets;

CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
	INSERT INTO tickets_fts (rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES (new.rowid, new.id, new.ente_name, new.ente_cf, new.ente_ipa, new.requester, new.subject);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
	INSERT INTO tickets_fts (tickets_fts, rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES ('delete', old.rowid, old.id, old.ente_name, old.ente_cf, old.ente_ipa, old.requester, old.subject);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF id, ente_name, ente_cf, ente_ipa, requester, subject ON tickets BEGIN
	INSERT INTO tickets_fts (tickets_fts, rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES ('delete', old.rowid, old.id, old.ente_name, old.ente_cf, old.ente_ipa, old.requester, old.subject);
	INSERT INTO tickets_fts (rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
	VALUES (new.rowid, new.id, new.ente_name, new.ente_cf, new.ente_ipa, new.requester, new.subject);
END;
