-- The web console (package console): one-time sign-in links and staff sessions. Only the
-- SHA-256 of each token is kept, so a copy of the database opens no session.
CREATE TABLE console_links (
	hash       TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE console_sessions (
	hash       TEXT PRIMARY KEY,
	email      TEXT NOT NULL,
	created_at TEXT NOT NULL,
	seen_at    TEXT NOT NULL
);
