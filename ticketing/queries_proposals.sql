-- Named queries of proposed values (ticketing/proposals.go).

-- name: proposal-insert
INSERT INTO proposals (ticket_id, seq, field, form_type, old_value, value, message_id, document, created_at)
VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM proposals WHERE ticket_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8)
RETURNING seq;

-- name: proposal-list
SELECT ticket_id, seq, field, form_type, old_value, value, message_id, document, created_at, state, decided_by, decided_at,
       superseded_by, resent
FROM proposals WHERE ticket_id = ? ORDER BY seq;

-- name: proposal-get
SELECT ticket_id, seq, field, form_type, old_value, value, message_id, document, created_at, state, decided_by, decided_at,
       superseded_by, resent
FROM proposals WHERE ticket_id = ? AND seq = ?;

-- name: proposal-decide
UPDATE proposals SET state = ?3, decided_by = ?4, decided_at = ?5 WHERE ticket_id = ?1 AND seq = ?2 AND state = 'pending';

-- name: proposal-supersede
UPDATE proposals SET state = 'superseded', superseded_by = ?3, decided_by = 'mailbot', decided_at = ?4
WHERE ticket_id = ?1 AND seq = ?2 AND state = 'pending';

-- name: proposal-resent
UPDATE proposals SET resent = resent + 1 WHERE ticket_id = ?1 AND seq = ?2 AND state = 'rejected' RETURNING resent;

-- name: proposal-superseded-since
SELECT count(*) FROM proposals WHERE state = 'superseded' AND decided_at >= ?;
