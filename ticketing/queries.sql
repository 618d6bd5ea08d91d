-- Named queries of the ticketing store; each follows a "-- name: x" line.

-- name: mailbox-get
SELECT uidvalidity, last_uid FROM mailboxes WHERE name = ?;

-- name: mailbox-set
INSERT INTO mailboxes (name, uidvalidity, last_uid) VALUES (?, ?, ?)
ON CONFLICT (name) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid;

-- name: message-find
SELECT id, COALESCE(ticket_id, '') FROM messages WHERE message_id = ? AND digest = ?;

-- name: message-insert
INSERT INTO messages (ticket_id, direction, message_id, digest, blob, from_addr, to_addrs, subject, date, auto, quarantine, quarantine_kind, received_at)
VALUES (NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: copy-insert
INSERT OR IGNORE INTO message_copies (message, mailbox, uidvalidity, uid) VALUES (?, ?, ?, ?);

-- name: ticket-by-message-id
SELECT ticket_id FROM messages WHERE message_id = ? AND ticket_id IS NOT NULL ORDER BY id DESC LIMIT 1;

-- name: ticket-open-by-ente
-- Two lookups, each on its partial index (the literal != '' lets SQLite use it): one OR of the
-- two made a scan of every ticket (BenchmarkIntakeRequest: 6 ms of 12 with 10,000 tickets).
SELECT id, kind, state FROM (
	SELECT id, kind, state, created_at FROM tickets WHERE ? != '' AND ente_cf != '' AND ente_cf = ?
	UNION
	SELECT id, kind, state, created_at FROM tickets WHERE ? != '' AND ente_ipa != '' AND lower(ente_ipa) = lower(?)
)
ORDER BY created_at DESC;

-- name: seq-next
INSERT INTO ticket_seq (prefix, year, last) VALUES (?, ?, 1)
ON CONFLICT (prefix, year) DO UPDATE SET last = last + 1
RETURNING last;

-- name: ticket-insert
INSERT INTO tickets (id, kind, state, subject, requester, state_since, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: ticket-get
SELECT t.id, t.kind, t.state, t.subject, t.requester, t.ente_name, t.ente_cf, t.ente_ipa, t.services,
       t.assignee, t.flag_kind, t.flag, t.state_since, t.created_at, t.updated_at,
       (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)
FROM tickets t WHERE t.id = ?;

-- name: ticket-list
SELECT t.id, t.kind, t.state, t.subject, t.requester, t.ente_name, t.ente_cf, t.ente_ipa, t.services,
       t.assignee, t.flag_kind, t.flag, t.state_since, t.created_at, t.updated_at,
       (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)
FROM tickets t ORDER BY t.created_at, t.id;

-- name: ticket-set-state
UPDATE tickets SET state = ?, state_since = ?, updated_at = ? WHERE id = ?;

-- name: ticket-set-ente
UPDATE tickets SET ente_name = ?, ente_cf = ?, ente_ipa = ?, services = ?, updated_at = ? WHERE id = ?;

-- name: ticket-set-assignee
UPDATE tickets SET assignee = ?, updated_at = ? WHERE id = ?;

-- name: ticket-set-flag
UPDATE tickets SET flag_kind = ?, flag = ?, updated_at = ? WHERE id = ?;

-- name: event-insert
-- The trigger events_touch_ticket marks the ticket updated.
INSERT INTO events (ticket_id, at, type, by, text, kind, count, window_secs) VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: event-list
SELECT at, type, by, text, kind, count, window_secs FROM events WHERE ticket_id = ? ORDER BY at, id;

-- name: message-list
SELECT m.id, m.direction, m.message_id, m.from_addr, m.to_addrs, m.subject, m.date, m.auto, m.quarantine, m.quarantine_kind, m.blob,
       COALESCE((SELECT group_concat(DISTINCT c.mailbox) FROM message_copies c WHERE c.message = m.id), '')
FROM messages m WHERE m.ticket_id = ? ORDER BY m.id;

-- name: quarantine-list
SELECT m.id, m.direction, m.message_id, m.from_addr, m.to_addrs, m.subject, m.date, m.auto, m.quarantine, m.quarantine_kind, m.blob,
       COALESCE((SELECT group_concat(DISTINCT c.mailbox) FROM message_copies c WHERE c.message = m.id), '')
FROM messages m WHERE m.quarantine_kind != '' ORDER BY m.id;

-- name: outbox-insert
INSERT INTO outbox (ticket_id, message_id, kind, mail_from, rcpts, auto, next_at, created_at)
VALUES (NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?);

-- name: outbox-body-insert
INSERT INTO outbox_bodies (id, raw, parts) VALUES (?, ?, ?);

-- name: outbox-part-insert
INSERT OR IGNORE INTO outbox_parts (sum, data) VALUES (?, ?);

-- name: outbox-part
SELECT data FROM outbox_parts WHERE sum = ?;

-- name: outbox-due
-- The mails are chosen first and their bytes read after: joined before the LIMIT, every queued
-- mail's bytes went through the sort (a backlog's thousands of replies to send 100).
SELECT o.id, o.ticket_id, o.message_id, o.kind, o.mail_from, o.rcpts, b.raw, b.parts, b.raw_redacted IS NOT NULL, o.attempts
FROM (SELECT id, COALESCE(ticket_id, '') AS ticket_id, message_id, kind, mail_from, rcpts, attempts
      FROM outbox WHERE state = 'queued' AND next_at <= ? ORDER BY id LIMIT ?) o
JOIN outbox_bodies b ON b.id = o.id ORDER BY o.id;

-- name: outbox-next-at
SELECT min(next_at) FROM outbox WHERE state = 'queued';

-- name: outbox-sent
UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ? AND state = 'queued';

-- name: outbox-unclaim
-- ?1 now, ?2 the lease of a claim: every mail still claimed until exactly then is due again.
UPDATE outbox SET next_at = ?1 WHERE state = 'queued' AND next_at = ?2;

-- name: outbox-noted
-- A mail a sender noted as sent (mailbot's sent log), as MarkSent needs it; none once recorded.
SELECT COALESCE(o.ticket_id, ''), o.message_id, o.kind, b.raw_redacted IS NOT NULL
FROM outbox o JOIN outbox_bodies b ON b.id = o.id WHERE o.id = ? AND o.state = 'queued';

-- name: outbox-retry
UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?;

-- name: outbox-failed
UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?;

-- name: outbox-list
SELECT id, COALESCE(ticket_id, ''), message_id, kind, mail_from, rcpts, state, attempts, last_error, created_at, sent_at
FROM outbox ORDER BY id;

-- name: auto-reply-tally-add
-- A reply counted for its recipient (?1), for all, and once for each domain among its sender's
-- (?2) and its recipient's (?3): each key's next n, at no earlier instant (?4) than its last.
WITH keys (kind, key) AS (VALUES ('rcpt', ?1), ('all', ''), ('domain', ?2), ('domain', ?3))
INSERT INTO auto_reply_tally (kind, key, at, n)
SELECT k.kind, k.key,
	max(?4, COALESCE((SELECT at FROM auto_reply_tally t WHERE t.kind = k.kind AND t.key = k.key ORDER BY at DESC, n DESC LIMIT 1), '')),
	COALESCE((SELECT n FROM auto_reply_tally t WHERE t.kind = k.kind AND t.key = k.key ORDER BY at DESC, n DESC LIMIT 1), 0) + 1
FROM (SELECT DISTINCT kind, key FROM keys WHERE kind != 'domain' OR key != '') k;

-- name: auto-reply-tallies-since
-- Up to five counts in one statement, each (i) the replies of a key (kind, key) after an instant
-- (since): its last n minus the first n after the instant, plus one (0 if none). A slot of kind
-- '' counts nothing.
WITH q (i, kind, key, since) AS (VALUES (1, ?1, ?2, ?3), (2, ?4, ?5, ?6), (3, ?7, ?8, ?9), (4, ?10, ?11, ?12), (5, ?13, ?14, ?15))
SELECT i, COALESCE(
	(SELECT n FROM auto_reply_tally t WHERE t.kind = q.kind AND t.key = q.key ORDER BY at DESC, n DESC LIMIT 1)
	- (SELECT n FROM auto_reply_tally t WHERE t.kind = q.kind AND t.key = q.key AND t.at > q.since ORDER BY at, n LIMIT 1) + 1, 0)
FROM q WHERE q.kind != '';

-- name: auto-reply-prune
DELETE FROM auto_reply_tally WHERE at < ?;

-- name: copies-count
SELECT count(*) FROM message_copies WHERE mailbox = ?;

-- name: assignee-list
SELECT DISTINCT assignee FROM tickets WHERE assignee != '' ORDER BY assignee;

-- name: assignee-rename
UPDATE tickets SET assignee = ? WHERE assignee = ?;

-- name: search-pending-apply
-- What the changes of tickets this transaction made come to, into the console's search index
-- (migration 0020_search_once_per_transaction): for each row, the index's entry taken out if
-- the row's first change was to one indexed before (its old values), and its last values put
-- in unless it was deleted at the end. A case opened and given its ente is indexed once.
INSERT INTO tickets_fts (tickets_fts, rowid, id, ente_name, ente_cf, ente_ipa, requester, subject)
SELECT op, row, id, ente_name, ente_cf, ente_ipa, requester, subject FROM tickets_fts_pending p
WHERE (op = 'delete' AND seq = (SELECT min(seq) FROM tickets_fts_pending q WHERE q.row = p.row))
   OR (op IS NULL AND seq = (SELECT max(seq) FROM tickets_fts_pending q WHERE q.row = p.row))
ORDER BY seq;

-- name: search-pending-clear
DELETE FROM tickets_fts_pending;
