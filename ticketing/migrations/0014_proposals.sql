-- Values from mail that only a person may make the case's own (ticketing/proposals.go): a
-- changed IBAN, ente PEC or referent e-mail after the forms were first complete, and every
-- caller IP for production. The case keeps its value until staff confirm.
CREATE TABLE proposals (
	id         INTEGER PRIMARY KEY,
	ticket_id  TEXT NOT NULL REFERENCES tickets(id),
	seq        INTEGER NOT NULL,              -- the number staff write (#accetta N), per case
	field      TEXT NOT NULL,                 -- form field key (parsers.Key*)
	form_type  TEXT NOT NULL DEFAULT '',      -- the form it would set, '' for every form with the key
	old_value  TEXT NOT NULL DEFAULT '',      -- the case's value when proposed, '' for none
	value      TEXT NOT NULL,
	message_id TEXT NOT NULL DEFAULT '',      -- the message that proposed it
	document   TEXT NOT NULL DEFAULT '',      -- where in that message it was read
	created_at TEXT NOT NULL,
	state      TEXT NOT NULL DEFAULT 'pending', -- pending | confirmed | rejected
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at TEXT NOT NULL DEFAULT '',
	UNIQUE (ticket_id, seq)
);
CREATE INDEX proposals_pending ON proposals(state, ticket_id);
