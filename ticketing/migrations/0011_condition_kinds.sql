-- Conditions code acts on become kinds in their own columns; the texts stay, for people. Until
-- now code read them from the texts' wording, so the existing rows are converted by it once here.

-- A ticket's flag: why a person must look (ticketing.FlagKind), '' when none.
ALTER TABLE tickets ADD COLUMN flag_kind TEXT NOT NULL DEFAULT '';
UPDATE tickets SET flag_kind = CASE
	WHEN flag LIKE 'stalled%' THEN 'stalled'
	WHEN flag LIKE 'dati da verificare%' THEN 'checking'
	WHEN flag LIKE 'allegati non leggibili%' THEN 'unreadable'
	WHEN flag LIKE 'risposta automatica non inviata%' THEN 'held'
	WHEN flag LIKE 'mittente non presente nella pratica%' THEN 'stranger'
	WHEN flag LIKE 'messaggio da leggere%' THEN 'unclear'
	ELSE 'staff'
END WHERE flag != '';
UPDATE tickets SET flag = substr(flag, length('stalled: ') + 1) WHERE flag LIKE 'stalled: %';

-- Why a message is held outside any case (ticketing.QuarantineKind), '' when it is not.
ALTER TABLE messages ADD COLUMN quarantine_kind TEXT NOT NULL DEFAULT '';
UPDATE messages SET quarantine_kind = CASE
	WHEN quarantine LIKE 'scartato:%' THEN 'dismissed'
	WHEN quarantine LIKE 'unreadable message:%' THEN 'unreadable'
	WHEN quarantine LIKE 'automatic message matching no ticket: loop header%' THEN 'loop'
	WHEN quarantine LIKE 'automatic message matching no ticket:%' THEN 'automatic'
	WHEN quarantine LIKE 'message of % bytes is over the limit%' THEN 'oversize'
	WHEN quarantine LIKE 'staff message matching no ticket%' THEN 'staff_unmatched'
	WHEN quarantine LIKE 'sender address cannot be answered%' THEN 'unanswerable'
	WHEN quarantine LIKE 'not recorded after%' THEN 'unrecorded'
	ELSE 'other'
END WHERE quarantine != '';

-- Structured fields of an event, for the events code reads back (security events today): its
-- kind, how many things it counts, and the window it stands for, in seconds.
ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN window_secs INTEGER NOT NULL DEFAULT 0;
UPDATE events SET
	kind = CASE WHEN text LIKE '%; staff avvisati' THEN 'refused_warned' ELSE 'refused_quiet' END,
	count = CAST(substr(text, instr(text, '(') + 1, instr(text, ')') - instr(text, '(') - 1) AS INTEGER),
	window_secs = 3600
WHERE type = 'security' AND text LIKE 'comandi rifiutati (%';
