-- Named queries of the web console (ticketing/console.go).

-- name: console-link-purge
DELETE FROM console_links WHERE expires_at < ?;

-- name: console-link-insert
INSERT INTO console_links (hash, email, expires_at) VALUES (?, ?, ?);

-- name: console-link-use
UPDATE console_links SET used_at = ? WHERE hash = ? AND used_at = '' AND expires_at > ? RETURNING email;

-- name: console-session-purge
DELETE FROM console_sessions WHERE seen_at < ?;

-- name: console-session-insert
INSERT INTO console_sessions (hash, email, created_at, seen_at) VALUES (?, ?, ?, ?);

-- name: console-session-touch
UPDATE console_sessions SET seen_at = ? WHERE hash = ? AND seen_at > ? RETURNING email;

-- name: console-session-delete
DELETE FROM console_sessions WHERE hash = ?;

-- name: console-queue
SELECT t.id, t.kind, t.state, t.subject, t.requester, t.ente_name, t.ente_cf, t.ente_ipa, t.services,
       t.assignee, t.flag, t.state_since, t.created_at, t.updated_at, 0
FROM tickets t ORDER BY t.state_since, t.id;
