-- Named queries of the operators' views: metrics and status (ticketing/stats.go).

-- name: stats-mailboxes
SELECT c.mailbox, count(*), sum(m.quarantine_kind != ''), coalesce(b.last_uid, 0)
FROM message_copies c JOIN messages m ON m.id = c.message
LEFT JOIN mailboxes b ON b.name = c.mailbox
GROUP BY c.mailbox ORDER BY c.mailbox;

-- name: stats-outbox
SELECT state, kind, count(*), coalesce(min(created_at), '') FROM outbox GROUP BY state, kind ORDER BY state, kind;

-- name: stats-schedule
SELECT kind, count(*), max(at) FROM schedule_sent GROUP BY kind ORDER BY kind;

-- name: stats-tickets
SELECT kind, state, count(*) FROM tickets GROUP BY kind, state ORDER BY kind, state;

-- Open cases waiting for a person, by why: /metrics and the digest both read this (one
-- definition). ?1 is the JSON list of closed states (ticketing.closedStates: those where it is
-- nobody's turn). A pending proposal is counted from the proposals themselves: the case's one
-- flag may say something else meanwhile.
-- name: stats-flags
SELECT flag_kind, count(*) FROM tickets
WHERE flag_kind NOT IN ('', 'proposal') AND state NOT IN (SELECT value FROM json_each(?1))
GROUP BY flag_kind
UNION ALL
SELECT 'proposal', count(DISTINCT p.ticket_id) FROM proposals p JOIN tickets t ON t.id = p.ticket_id
WHERE p.state = 'pending' AND t.state NOT IN (SELECT value FROM json_each(?1))
HAVING count(DISTINCT p.ticket_id) > 0
ORDER BY 1;

-- name: outbox-copy
SELECT coalesce(b.raw_redacted, b.raw), CASE WHEN b.raw_redacted IS NULL THEN b.parts ELSE '' END FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.message_id = ?;
