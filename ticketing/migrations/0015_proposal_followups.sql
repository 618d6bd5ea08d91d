-- What became of a proposal besides a staff decision (ticketing/proposals.go): superseded by a
-- newer proposal for the same field (state 'superseded', superseded_by its number), and how
-- often a rejected value was sent again (it reopens nothing; staff hear of it once).
ALTER TABLE proposals ADD COLUMN superseded_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE proposals ADD COLUMN resent INTEGER NOT NULL DEFAULT 0;
