-- Named queries of the hashes of credentials sent (ticketing/secrets.go).

-- name: secret-key-get
SELECT key FROM secret_key WHERE id = 1;

-- name: secret-key-insert
INSERT INTO secret_key (id, key) VALUES (1, ?) ON CONFLICT (id) DO NOTHING;

-- name: secret-hash-insert
INSERT INTO secret_hashes (ticket_id, hash, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING;

-- name: secret-hash-list
SELECT hash FROM secret_hashes WHERE ticket_id = ?;
