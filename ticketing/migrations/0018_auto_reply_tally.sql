-- The automatic replies, as the caps count them, become running tallies: per key (a recipient,
-- a domain, every reply) the n-th reply and its instant. The replies after an instant are then
-- the last n minus the first n after it, plus one: two index seeks, where counting rows visited
-- every reply in the window (with the caps raised for a backlog, 2,000 replies to one domain
-- made 2 million row visits). A key's instants never go back: a reply recorded with an earlier
-- clock than the one before it is counted as of that one's instant, so it leaves a window
-- later than it would, never earlier.
CREATE TABLE auto_reply_tally (
	kind TEXT NOT NULL,    -- 'rcpt' (the per-recipient key), 'domain' (of the sender answered or of the recipient), 'all'
	key  TEXT NOT NULL,    -- '' for 'all'
	at   TEXT NOT NULL,
	n    INTEGER NOT NULL, -- the reply is the n-th of its key
	PRIMARY KEY (kind, key, at, n)
) WITHOUT ROWID;
INSERT INTO auto_reply_tally (kind, key, at, n)
SELECT 'rcpt', rcpt, at, row_number() OVER (PARTITION BY rcpt ORDER BY at, rowid) FROM auto_replies;
INSERT INTO auto_reply_tally (kind, key, at, n)
SELECT 'all', '', at, row_number() OVER (ORDER BY at, rowid) FROM auto_replies;
-- A reply counts once for a domain that is both its sender's and its recipient's.
INSERT INTO auto_reply_tally (kind, key, at, n)
SELECT 'domain', d, at, row_number() OVER (PARTITION BY d ORDER BY at, id) FROM (
	SELECT sender_domain AS d, at, rowid AS id FROM auto_replies WHERE sender_domain != ''
	UNION ALL
	SELECT rcpt_domain, at, rowid FROM auto_replies WHERE rcpt_domain != '' AND rcpt_domain != sender_domain
);
DROP TABLE auto_replies;
