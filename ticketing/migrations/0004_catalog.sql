-- Staff corrections to the published catalogs (prodotti, processi, enti). An entry is keyed by
-- the ticket it comes from; one row per catalog and entry, holding whether it is hidden and the
-- fields that replace what the forms said. Every change is also an event on that ticket.
CREATE TABLE catalog_corrections (
	catalog    TEXT NOT NULL,                -- prodotti | processi | enti
	key        TEXT NOT NULL REFERENCES tickets(id),
	hidden     INTEGER NOT NULL DEFAULT 0,
	fields     TEXT NOT NULL DEFAULT '{}',   -- JSON object: field -> corrected value
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	PRIMARY KEY (catalog, key)
);
