-- A part many queued mails carry alike (a blank form attached to every reply that asks for it),
-- stored once instead of in every mail's bytes: a backlog's replies were 32 KB each to write,
-- and to copy again into the database at the checkpoint, for 2 KB of their own.
CREATE TABLE outbox_parts (
	sum  TEXT PRIMARY KEY, -- hex sha256 of data
	data BLOB NOT NULL
);
-- Where each part goes back into raw: "offset:sum" pairs, offsets ascending, ";" between them.
-- Empty for a mail stored whole (every mail before this migration, every redacted copy).
ALTER TABLE outbox_bodies ADD COLUMN parts TEXT NOT NULL DEFAULT '';
