-- Tickets: one per case. Times are RFC 3339 UTC text.
CREATE TABLE tickets (
	id          TEXT PRIMARY KEY,          -- INT-2026-00042
	kind        TEXT NOT NULL,             -- integration | qualification
	state       TEXT NOT NULL,
	subject     TEXT NOT NULL,
	requester   TEXT NOT NULL,             -- address replies go to
	ente_name   TEXT NOT NULL DEFAULT '',
	ente_cf     TEXT NOT NULL DEFAULT '',
	ente_ipa    TEXT NOT NULL DEFAULT '',
	services    TEXT NOT NULL DEFAULT '[]', -- JSON array
	assignee    TEXT NOT NULL DEFAULT '',
	flag        TEXT NOT NULL DEFAULT '',  -- why a person must look, '' when none
	state_since TEXT NOT NULL,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX tickets_ente_cf ON tickets(ente_cf) WHERE ente_cf != '';
CREATE INDEX tickets_ente_ipa ON tickets(lower(ente_ipa)) WHERE ente_ipa != '';

CREATE TABLE ticket_seq (
	prefix TEXT NOT NULL,
	year   INTEGER NOT NULL,
	last   INTEGER NOT NULL,
	PRIMARY KEY (prefix, year)
);

-- Messages in and out. One row per distinct message (Message-ID plus content digest); the copies
-- of it found in the watched mailboxes are in message_copies.
CREATE TABLE messages (
	id          INTEGER PRIMARY KEY,
	ticket_id   TEXT REFERENCES tickets(id),  -- NULL when quarantined outside any ticket
	direction   TEXT NOT NULL,                -- in | out
	message_id  TEXT NOT NULL,
	digest      TEXT NOT NULL,
	blob        TEXT NOT NULL DEFAULT '',     -- sha256 of the raw file under data_dir/messages
	from_addr   TEXT NOT NULL DEFAULT '',
	to_addrs    TEXT NOT NULL DEFAULT '[]',   -- JSON array
	subject     TEXT NOT NULL DEFAULT '',
	date        TEXT NOT NULL DEFAULT '',
	auto        TEXT NOT NULL DEFAULT '',     -- why it was not answered automatically
	quarantine  TEXT NOT NULL DEFAULT '',     -- why it is held for a person
	received_at TEXT NOT NULL,
	UNIQUE (message_id, digest)
);
CREATE INDEX messages_message_id ON messages(message_id);
CREATE INDEX messages_ticket ON messages(ticket_id);

CREATE TABLE message_copies (
	message    INTEGER NOT NULL REFERENCES messages(id),
	mailbox    TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	uid        INTEGER NOT NULL,
	PRIMARY KEY (mailbox, uidvalidity, uid)
);

-- Where each watcher stands: advanced in the same transaction that records a message.
CREATE TABLE mailboxes (
	name        TEXT PRIMARY KEY,
	uidvalidity INTEGER NOT NULL,
	last_uid    INTEGER NOT NULL
);

CREATE TABLE events (
	id        INTEGER PRIMARY KEY,
	ticket_id TEXT NOT NULL REFERENCES tickets(id),
	at        TEXT NOT NULL,
	type      TEXT NOT NULL,
	by        TEXT NOT NULL,
	text      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_ticket ON events(ticket_id, at);

-- Mail to send, rendered once: a retry sends the same bytes with the same Message-ID.
CREATE TABLE outbox (
	id         INTEGER PRIMARY KEY,
	ticket_id  TEXT REFERENCES tickets(id),
	message_id TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,               -- ack, reminder, staff, credentials, ...
	mail_from  TEXT NOT NULL,
	rcpts      TEXT NOT NULL,               -- JSON array
	raw        BLOB NOT NULL,
	auto       INTEGER NOT NULL,            -- 1 when it counts for the per-recipient rate limit
	state      TEXT NOT NULL DEFAULT 'queued', -- queued | sent | failed
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_at    TEXT NOT NULL,
	last_error TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	sent_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(state, next_at);

-- One row per automatic reply, per recipient: the rate limit counts these.
CREATE TABLE auto_replies (
	rcpt TEXT NOT NULL,
	at   TEXT NOT NULL
);
CREATE INDEX auto_replies_rcpt ON auto_replies(rcpt, at);
