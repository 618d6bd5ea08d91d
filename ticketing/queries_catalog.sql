-- Named queries for the corrections staff make to the published catalogs.

-- name: catalog-correction-get
SELECT hidden, fields FROM catalog_corrections WHERE catalog = ? AND key = ?;

-- name: catalog-correction-put
INSERT INTO catalog_corrections (catalog, key, hidden, fields, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (catalog, key) DO UPDATE SET hidden = excluded.hidden, fields = excluded.fields,
	updated_at = excluded.updated_at, updated_by = excluded.updated_by;

-- name: catalog-correction-delete
DELETE FROM catalog_corrections WHERE catalog = ? AND key = ?;

-- name: catalog-correction-list
SELECT catalog, key, hidden, fields, updated_at, updated_by FROM catalog_corrections ORDER BY catalog, key;
