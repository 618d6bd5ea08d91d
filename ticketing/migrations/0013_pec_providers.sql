-- The index of PEC providers (RFC 6109 section 5, published by AgID): the certificates whose
-- signature makes a PEC envelope's sender certified. Replaced whole at each import.
CREATE TABLE pec_providers (
	sha256      TEXT PRIMARY KEY,          -- of the DER certificate
	name        TEXT NOT NULL,
	cert        BLOB NOT NULL,             -- DER
	imported_at TEXT NOT NULL
);
