-- The hourly caps on automatic mail: overall, and per domain (of the sender answered or of the
-- recipient). rcpt now holds the per-recipient key (ASCII-folded, without +extension); rows
-- written before this migration keep the address as it was and count for a day at most.
ALTER TABLE auto_replies ADD COLUMN sender_domain TEXT NOT NULL DEFAULT '';
ALTER TABLE auto_replies ADD COLUMN rcpt_domain TEXT NOT NULL DEFAULT '';
CREATE INDEX auto_replies_at ON auto_replies(at);
