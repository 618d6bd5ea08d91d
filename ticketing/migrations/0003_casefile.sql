-- What the forms of a ticket said, one row per form read (a later form of the same type
-- supersedes an earlier one when the case file is assembled).
CREATE TABLE ticket_forms (
	id          INTEGER PRIMARY KEY,
	ticket_id   TEXT NOT NULL REFERENCES tickets(id),
	message_id  TEXT NOT NULL,
	type        TEXT NOT NULL,
	source      TEXT NOT NULL,
	fields      TEXT NOT NULL,   -- JSON object: key -> string or array of strings
	problems    TEXT NOT NULL,   -- JSON array of {field, message}
	received_at TEXT NOT NULL
);
CREATE INDEX ticket_forms_ticket ON ticket_forms(ticket_id, type);

-- Web-service caller addresses per environment (collaudo, esercizio).
CREATE TABLE ticket_ips (
	ticket_id TEXT NOT NULL REFERENCES tickets(id),
	env       TEXT NOT NULL,
	ip        TEXT NOT NULL,
	at        TEXT NOT NULL,
	PRIMARY KEY (ticket_id, env, ip)
);

-- A mail carrying secrets is stored twice until the SMTP server accepts it: then the redacted
-- copy replaces the real one.
ALTER TABLE outbox ADD COLUMN raw_redacted BLOB;
