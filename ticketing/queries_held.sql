-- Named queries of held mail (ticketing/held.go): automatic replies an hourly cap stopped,
-- kept in the outbox with state 'held' until a person releases or drops them.

-- name: held-set
UPDATE outbox SET state = 'held', last_error = ? WHERE id = ?;

-- name: held-list
SELECT o.id, COALESCE(o.ticket_id, ''), o.message_id, o.kind, o.rcpts, b.raw, b.parts, o.last_error, o.created_at
FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.state = 'held' ORDER BY o.id;

-- name: held-get
SELECT o.id, COALESCE(o.ticket_id, ''), o.message_id, o.kind, o.rcpts, b.raw, b.parts, o.last_error, o.created_at
FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.state = 'held' AND o.id = ?;

-- name: held-release
UPDATE outbox SET state = 'queued', next_at = ?, last_error = '' WHERE id = ? AND state = 'held';

-- name: held-drop
UPDATE outbox SET state = 'dropped', last_error = ? WHERE id = ? AND state = 'held';

-- name: held-count
SELECT count(*) FROM outbox WHERE state = 'held';

-- name: held-list-ticket
SELECT o.id, COALESCE(o.ticket_id, ''), o.message_id, o.kind, o.rcpts, b.raw, b.parts, o.last_error, o.created_at
FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.state = 'held' AND o.ticket_id = ? ORDER BY o.id;

-- ?1 the JSON list of ticket IDs.
-- name: held-count-tickets
SELECT ticket_id, count(*) FROM outbox
WHERE state = 'held' AND ticket_id IN (SELECT value FROM json_each(?1)) GROUP BY ticket_id;
