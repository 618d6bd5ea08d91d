-- Failed attempts at recording one fetched message, counted across restarts: after a few,
-- intake records the message as quarantined so that one message never stops its mailbox.
CREATE TABLE intake_attempts (
	mailbox     TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	uid         INTEGER NOT NULL,
	attempts    INTEGER NOT NULL,
	last_error  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (mailbox, uidvalidity, uid)
);
