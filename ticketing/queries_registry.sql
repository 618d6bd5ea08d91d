-- Named queries for the registry of enti (IndicePA).

-- name: registry-clear
DELETE FROM registry_enti;

-- name: registry-insert
INSERT OR REPLACE INTO registry_enti (codice_ipa, denominazione, codice_fiscale, tipologia, categoria, indirizzo, cap, pec) VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: registry-source-set
INSERT INTO registry_source (id, file, sha256, enti, imported_at) VALUES (1, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET file = excluded.file, sha256 = excluded.sha256, enti = excluded.enti, imported_at = excluded.imported_at;

-- name: registry-source
SELECT file, sha256, enti, imported_at FROM registry_source WHERE id = 1;

-- name: registry-by-ipa
SELECT codice_ipa, denominazione, codice_fiscale, tipologia, categoria, indirizzo, cap, pec FROM registry_enti WHERE codice_ipa = ?;

-- name: registry-by-cf
SELECT codice_ipa, denominazione, codice_fiscale, tipologia, categoria, indirizzo, cap, pec FROM registry_enti WHERE codice_fiscale = ? ORDER BY codice_ipa LIMIT 5;
