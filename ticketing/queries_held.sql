-- Named queries of held mail (ticketing/held.go): automatic replies an hourly cap stopped,
-- kept in the outbox with state 'held' until a person releases or drops them.

-- name: held-set
UPDATE outbox SET state = 'held', last_error = ? WHERE id = ?;

-- name: held-list
SELECT id, COALESCE(ticket_id, ''), message_id, kind, rcpts, raw, last_error, created_at
FROM outbox WHERE state = 'held' ORDER BY id;

-- name: held-get
SELECT id, COALESCE(ticket_id, ''), message_id, kind, rcpts, raw, last_error, created_at
FROM outbox WHERE state = 'held' AND id = ?;

-- name: held-release
UPDATE outbox SET state = 'queued', next_at = ?, last_error = '' WHERE id = ? AND state = 'held';

-- name: held-drop
UPDATE outbox SET state = 'dropped', last_error = ? WHERE id = ? AND state = 'held';

-- name: held-count
SELECT count(*) FROM outbox WHERE state = 'held';

-- name: held-list-ticket
SELECT id, COALESCE(ticket_id, ''), message_id, kind, rcpts, raw, last_error, created_at
FROM outbox WHERE state = 'held' AND ticket_id = ? ORDER BY id;

-- ?1 the JSON list of ticket IDs.
-- name: held-count-tickets
SELECT ticket_id, count(*) FROM outbox
WHERE state = 'held' AND ticket_id IN (SELECT value FROM json_each(?1)) GROUP BY ticket_id;
