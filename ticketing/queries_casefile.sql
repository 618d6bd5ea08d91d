-- Named queries for the case file: forms, IP addresses, redaction.

-- name: form-insert
INSERT INTO ticket_forms (ticket_id, message_id, type, source, fields, problems, provenance, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: form-list
SELECT message_id, type, source, fields, problems, provenance, received_at FROM ticket_forms WHERE ticket_id = ? ORDER BY id;

-- name: ip-insert
INSERT OR IGNORE INTO ticket_ips (ticket_id, env, ip, at) VALUES (?, ?, ?, ?);

-- name: ip-list
SELECT env, ip FROM ticket_ips WHERE ticket_id = ? ORDER BY env, at, ip;

-- name: outbox-redact
UPDATE outbox_bodies SET raw = raw_redacted, raw_redacted = NULL, parts = '' WHERE id = ? AND raw_redacted IS NOT NULL;

-- name: outbox-set-redacted
UPDATE outbox_bodies SET raw_redacted = ? WHERE id = ?;

-- name: tickets-by-state
SELECT id FROM tickets WHERE kind = ? AND state = ? ORDER BY created_at;

-- name: message-ids
SELECT message_id FROM messages WHERE ticket_id = ? ORDER BY id;

-- name: outbox-claim
UPDATE outbox SET next_at = ? WHERE id = ? AND state = 'queued' AND next_at <= ?;

-- name: message-set-blob
UPDATE messages SET blob = ? WHERE message_id = ? AND digest = ?;

-- name: message-blob
SELECT blob FROM messages WHERE message_id = ? AND digest = ?;
