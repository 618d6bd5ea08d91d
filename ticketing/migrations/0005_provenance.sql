-- Where each value of a form was read and how sure the reader was of it: a JSON object of
-- field key -> {document, where, label, how, sure, doubt}. Rows written before this column
-- read as sure values from their row's source.
ALTER TABLE ticket_forms ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';
