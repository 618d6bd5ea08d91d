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

-- The queue: ?1 the JSON list of "kind/state" pairs shown, ?2 the assignee ('*' for anyone,
-- '' for nobody), ?3 1 for flagged cases only, ?4 an FTS5 query over ID, ente, codice fiscale,
-- IPA code, requester and subject ('' for none).
-- name: console-queue-count
SELECT count(*) FROM tickets t
WHERE t.kind || '/' || t.state IN (SELECT value FROM json_each(?1))
  AND (?2 = '*' OR t.assignee = ?2)
  AND (?3 = 0 OR t.flag_kind != '')
  AND (?4 = '' OR t.rowid IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?4));

-- Then ?5 1 for the newest first (else the longest waiting first), ?6 LIMIT, ?7 OFFSET.
-- name: console-queue-page
SELECT t.id, t.kind, t.state, t.subject, t.requester, t.ente_name, t.ente_cf, t.ente_ipa, t.services,
       t.assignee, t.flag_kind, t.flag, t.state_since, t.created_at, t.updated_at, 0
FROM tickets t
WHERE t.kind || '/' || t.state IN (SELECT value FROM json_each(?1))
  AND (?2 = '*' OR t.assignee = ?2)
  AND (?3 = 0 OR t.flag_kind != '')
  AND (?4 = '' OR t.rowid IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?4))
ORDER BY CASE WHEN ?5 = 1 THEN t.state_since END DESC, t.state_since, t.id
LIMIT ?6 OFFSET ?7;

-- name: console-state-counts
SELECT kind, state, count(*) FROM tickets GROUP BY kind, state;

-- Quarantine: messages kept outside any case, unanswered, not yet dismissed.
-- name: console-quarantine
SELECT m.id, m.direction, m.message_id, m.from_addr, m.to_addrs, m.subject, m.date, m.auto, m.quarantine, m.quarantine_kind, m.blob,
       COALESCE((SELECT group_concat(DISTINCT c.mailbox) FROM message_copies c WHERE c.message = m.id), '')
FROM messages m WHERE m.ticket_id IS NULL AND m.quarantine_kind NOT IN ('', 'dismissed')
ORDER BY m.id DESC LIMIT 500;

-- name: console-quarantine-get
SELECT m.subject, m.from_addr FROM messages m
WHERE m.id = ? AND m.ticket_id IS NULL AND m.quarantine_kind NOT IN ('', 'dismissed');

-- name: console-quarantine-attach
UPDATE messages SET ticket_id = ?, quarantine = '', quarantine_kind = '' WHERE id = ? AND ticket_id IS NULL;

-- name: console-quarantine-dismiss
UPDATE messages SET quarantine_kind = 'dismissed', quarantine = ? || ' – ' || quarantine WHERE id = ? AND ticket_id IS NULL;

-- name: console-session-get
SELECT email, created_at, seen_at FROM console_sessions WHERE hash = ?;

-- name: console-link-live
SELECT count(*) FROM console_links WHERE hash = ? AND used_at = '' AND expires_at > ?;

-- name: console-session-delete-email
DELETE FROM console_sessions WHERE email = ?;

-- name: console-session-emails
SELECT DISTINCT email FROM console_sessions;

-- Quarantined messages that are about a case: sent by its requester (?1), or naming the case
-- (?2, its ID in upper case) in the subject.
-- name: console-quarantine-of-case
SELECT m.id, m.direction, m.message_id, m.from_addr, m.to_addrs, m.subject, m.date, m.auto, m.quarantine, m.quarantine_kind, m.blob,
       COALESCE((SELECT group_concat(DISTINCT c.mailbox) FROM message_copies c WHERE c.message = m.id), '')
FROM messages m WHERE m.ticket_id IS NULL AND m.quarantine_kind NOT IN ('', 'dismissed')
  AND (lower(m.from_addr) = lower(?1) OR instr(upper(m.subject), ?2) > 0)
ORDER BY m.id DESC LIMIT 50;

-- ?1 the JSON list of ticket IDs.
-- name: console-proposal-counts
SELECT ticket_id, count(*) FROM proposals
WHERE state = 'pending' AND ticket_id IN (SELECT value FROM json_each(?1)) GROUP BY ticket_id;

-- name: sender-doubt-set
UPDATE messages SET sender_doubt = ?2 WHERE id = ?1;

-- name: sender-doubt-get
SELECT from_addr, subject, sender_doubt FROM messages WHERE id = ?1 AND ticket_id = ?2;

-- name: sender-doubts-of-case
SELECT id, from_addr, subject, date, received_at, sender_doubt FROM messages
WHERE ticket_id = ?1 AND sender_doubt != '' ORDER BY id;

-- name: sender-doubt-counts
SELECT ticket_id, count(*) FROM messages
WHERE sender_doubt != '' AND ticket_id IN (SELECT value FROM json_each(?1)) GROUP BY ticket_id;

-- name: sender-doubt-left
SELECT count(*) FROM messages WHERE ticket_id = ?1 AND sender_doubt != '';
