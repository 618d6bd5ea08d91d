-- A message on a case that was not acted on because its sender is not believed (mailbot/senders.go):
-- 'stranger' (not on the case) or 'untrusted' (our border MTA condemned its From, or it is on
-- the case only through Reply-To, or names several senders), until a person has looked at it.
ALTER TABLE messages ADD COLUMN sender_doubt TEXT NOT NULL DEFAULT '';
CREATE INDEX messages_sender_doubt ON messages (ticket_id) WHERE sender_doubt != '';
