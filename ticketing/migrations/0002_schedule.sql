-- Reminders, escalations and digests, recorded in the transaction that queues them. The primary
-- key is what makes a second send impossible, across restarts and concurrent runs (daemon and CLI).
CREATE TABLE schedule_sent (
	ticket_id  TEXT NOT NULL DEFAULT '',   -- '' for the digest
	kind       TEXT NOT NULL,              -- reminder | escalation | stalled | digest
	anchor     TEXT NOT NULL,              -- start of the wait (RFC 3339 UTC), or the digest's date
	seq        INTEGER NOT NULL,           -- 1, 2, ... within one wait
	at         TEXT NOT NULL,              -- when it was queued
	message_id TEXT NOT NULL DEFAULT '',
	rcpts      TEXT NOT NULL DEFAULT '[]', -- JSON array
	PRIMARY KEY (ticket_id, kind, anchor, seq)
);
CREATE INDEX schedule_sent_kind ON schedule_sent(kind, at);
