-- Named queries for security events: how often staff are warned.

-- name: event-last-like
SELECT id, at FROM events WHERE ticket_id = ? AND type = ? AND text LIKE ? ORDER BY id DESC LIMIT 1;

-- name: event-count-after-like
SELECT count(*) FROM events WHERE ticket_id = ? AND type = ? AND text LIKE ? AND id > ?;
