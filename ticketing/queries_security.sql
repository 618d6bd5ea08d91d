-- Named queries for security events: how often staff are warned.

-- name: event-last-of-kind
SELECT id, at FROM events WHERE ticket_id = ? AND type = ? AND kind = ? ORDER BY id DESC LIMIT 1;

-- name: event-count-after-of-kind
SELECT count(*) FROM events WHERE ticket_id = ? AND type = ? AND kind = ? AND id > ?;

-- name: event-count-since-of-kind
SELECT count(*) FROM events WHERE ticket_id = ? AND type = ? AND kind = ? AND at >= ?;
