-- The bytes of each mail in the outbox, apart from its state. The sender changes a mail's state
-- as it goes (claimed, sent), and SQLite rewrites a whole row whose size changes: a reply's
-- 33 KB written again, and its old pages zeroed (secure_delete), for a few bytes of state.
CREATE TABLE outbox_bodies (
	id           INTEGER PRIMARY KEY REFERENCES outbox(id),
	raw          BLOB NOT NULL,
	raw_redacted BLOB            -- what stays once the mail is sent, when it carried secrets
);
INSERT INTO outbox_bodies (id, raw, raw_redacted) SELECT id, raw, raw_redacted FROM outbox;
ALTER TABLE outbox DROP COLUMN raw;
ALTER TABLE outbox DROP COLUMN raw_redacted;
