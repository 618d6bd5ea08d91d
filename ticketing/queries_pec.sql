-- Named queries of the index of PEC providers (ticketing/pec.go).

-- name: pec-providers-clear
DELETE FROM pec_providers;

-- name: pec-provider-insert
INSERT INTO pec_providers (sha256, name, cert, imported_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING;

-- name: pec-provider-certs
SELECT cert FROM pec_providers ORDER BY name, sha256;
