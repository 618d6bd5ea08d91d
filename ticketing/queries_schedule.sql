-- Named queries of reminders, escalations and the digest (ticketing/reminders.go).

-- name: schedule-sent-insert
INSERT INTO schedule_sent (ticket_id, kind, anchor, seq, at, message_id, rcpts) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (ticket_id, kind, anchor, seq) DO NOTHING;

-- name: schedule-sent-of-ticket
SELECT ticket_id, kind, anchor, seq, at, message_id, rcpts FROM schedule_sent
WHERE ticket_id = ? ORDER BY at, seq;

-- name: schedule-sent-last
SELECT ticket_id, kind, anchor, seq, at, message_id, rcpts FROM schedule_sent
WHERE kind = ? ORDER BY at DESC, seq DESC LIMIT 1;

-- name: schedule-thread
SELECT message_id, direction, from_addr, auto, received_at FROM messages WHERE ticket_id = ? ORDER BY id;

-- name: schedule-changes-since
SELECT ticket_id, at, type, by, text FROM events
WHERE at > ? AND at <= ? AND type IN ('created', 'state') ORDER BY at, id;

-- name: schedule-sent-last-of-ticket
SELECT ticket_id, kind, anchor, seq, at, message_id, rcpts FROM schedule_sent
WHERE ticket_id = ? AND kind = ? ORDER BY at DESC, seq DESC LIMIT 1;
