-- Keyed hashes of the credentials mailbot sent on a case, never the values: a later message on
-- the case that quotes one is stored with it masked. The key is drawn once per installation.
CREATE TABLE secret_key (
	id  INTEGER PRIMARY KEY CHECK (id = 1),
	key BLOB NOT NULL
);

CREATE TABLE secret_hashes (
	ticket_id  TEXT NOT NULL REFERENCES tickets(id),
	hash       TEXT NOT NULL,              -- hex HMAC-SHA256 under secret_key
	created_at TEXT NOT NULL,
	PRIMARY KEY (ticket_id, hash)
);
