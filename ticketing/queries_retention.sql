-- Named queries of retention and erasure (ticketing/retention.go).

-- name: retention-candidates
SELECT id, kind, state FROM tickets WHERE state_since < ? ORDER BY id;

-- name: retention-ticket-blobs
SELECT DISTINCT blob FROM messages WHERE ticket_id = ? AND blob != '';

-- name: retention-clear-blobs
UPDATE messages SET blob = '' WHERE ticket_id = ? AND blob != '';

-- name: retention-clear-outbox
UPDATE outbox_bodies SET raw = X'', raw_redacted = NULL, parts = ''
WHERE id IN (SELECT id FROM outbox WHERE ticket_id = ? AND state != 'queued') AND length(raw) > 0;

-- name: retention-quarantine-blobs
SELECT DISTINCT blob FROM messages WHERE ticket_id IS NULL AND blob != '' AND received_at < ?;

-- name: retention-clear-quarantine
UPDATE messages SET blob = '' WHERE ticket_id IS NULL AND blob != '' AND received_at < ?;

-- name: blob-in-use
SELECT count(*) FROM messages WHERE blob = ?;

-- Addresses are matched whole, as JSON strings ("a@x.it" in ["a@x.it"]): never inside another
-- address ("rossi@" in "mario.rossi@"), and with no LIKE wildcards ("_" is common in addresses).
-- name: forget-tickets
SELECT DISTINCT t.id, t.kind, t.state FROM tickets t
WHERE lower(t.requester) = ?1
   OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND (lower(m.from_addr) = ?1 OR instr(lower(m.to_addrs), '"' || ?1 || '"') > 0))
   OR EXISTS (SELECT 1 FROM ticket_forms f WHERE f.ticket_id = t.id AND instr(lower(f.fields), '"' || ?1 || '"') > 0)
ORDER BY t.id;

-- name: forget-forms
SELECT id, fields FROM ticket_forms WHERE ticket_id = ?;

-- name: forget-form-set
UPDATE ticket_forms SET fields = ? WHERE id = ?;

-- name: forget-replace-forms
UPDATE ticket_forms SET problems = replace(problems, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-replace-proposals
UPDATE proposals SET old_value = replace(old_value, ?2, '[rimosso]'), value = replace(value, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-replace
UPDATE messages SET from_addr = replace(from_addr, ?2, '[rimosso]'), to_addrs = replace(to_addrs, ?2, '[rimosso]'),
	subject = replace(subject, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-replace-ticket
UPDATE tickets SET requester = replace(requester, ?2, '[rimosso]'), subject = replace(subject, ?2, '[rimosso]') WHERE id = ?1;

-- name: forget-replace-events
UPDATE events SET by = replace(by, ?2, '[rimosso]'), text = replace(text, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-replace-outbox
UPDATE outbox SET rcpts = replace(rcpts, ?2, '[rimosso]'), last_error = replace(last_error, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-replace-schedule
UPDATE schedule_sent SET rcpts = replace(rcpts, ?2, '[rimosso]') WHERE ticket_id = ?1;

-- name: forget-auto-replies
DELETE FROM auto_reply_tally WHERE kind = 'rcpt' AND lower(key) = ?;

-- name: forget-variants
SELECT requester FROM tickets WHERE id = ?1 AND lower(requester) = ?2
UNION SELECT from_addr FROM messages WHERE ticket_id = ?1 AND lower(from_addr) = ?2
UNION SELECT to_addrs FROM messages WHERE ticket_id = ?1 AND instr(lower(to_addrs), '"' || ?2 || '"') > 0
UNION SELECT rcpts FROM outbox WHERE ticket_id = ?1 AND instr(lower(rcpts), '"' || ?2 || '"') > 0;
