-- name: attempt-count
INSERT INTO intake_attempts (mailbox, uidvalidity, uid, attempts, last_error) VALUES (?, ?, ?, 1, ?)
ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error
RETURNING attempts;

-- name: attempt-clear
DELETE FROM intake_attempts WHERE mailbox = ? AND uidvalidity = ? AND uid = ?;

-- name: attempt-clear-through
DELETE FROM intake_attempts WHERE mailbox = ? AND uidvalidity = ? AND uid <= ?;

-- name: outbox-kind-count
SELECT count(*) FROM outbox WHERE kind = ? AND created_at >= ?;

-- name: outbox-has-message-id
SELECT count(*) FROM outbox WHERE message_id = ?;
