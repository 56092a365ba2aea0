-- +goose Up
-- Metadata is stored as the text the API made canonical (keys sorted,
-- numbers as sent, shortest escaping), and returned as that text: json keeps
-- it byte for byte, where jsonb would reformat it (spaces after ':' and ',',
-- keys reordered by length, 1e308 written out as 309 digits), so that what
-- comes back could be larger than the 16 KiB the API admitted and differ from
-- what SQLite returns. Nothing queries inside metadata.
ALTER TABLE usage_records DROP CONSTRAINT usage_records_metadata_check;
ALTER TABLE usage_records ALTER COLUMN metadata TYPE json USING metadata::json;
ALTER TABLE usage_records ADD CONSTRAINT usage_records_metadata_check CHECK (json_typeof(metadata) = 'object');

-- +goose Down
ALTER TABLE usage_records DROP CONSTRAINT usage_records_metadata_check;
ALTER TABLE usage_records ALTER COLUMN metadata TYPE jsonb USING metadata::jsonb;
ALTER TABLE usage_records ADD CONSTRAINT usage_records_metadata_check CHECK (jsonb_typeof(metadata) = 'object');
