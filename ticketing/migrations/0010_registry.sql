-- The public registry of enti (IndicePA open data, "Enti"): what `mailbot registry import` and
-- `[registry] file` load, replaced whole at each import. The case file checks the ente's codes
-- against it.
CREATE TABLE registry_enti (
	codice_ipa     TEXT PRIMARY KEY COLLATE NOCASE,
	denominazione  TEXT NOT NULL,
	codice_fiscale TEXT NOT NULL,
	tipologia      TEXT NOT NULL,
	categoria      TEXT NOT NULL,
	indirizzo      TEXT NOT NULL,
	cap            TEXT NOT NULL,
	pec            TEXT NOT NULL
);
CREATE INDEX registry_enti_cf ON registry_enti (codice_fiscale);

-- The file the registry was last imported from (one row, or none: no registry).
CREATE TABLE registry_source (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	file        TEXT NOT NULL,
	sha256      TEXT NOT NULL,
	enti        INTEGER NOT NULL,
	imported_at TEXT NOT NULL
);
