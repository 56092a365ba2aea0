-- +goose Up
-- SQLite already stores metadata as the canonical text the API wrote; the
-- Postgres migration of this version makes Postgres keep it as text too.
SELECT 1;

-- +goose Down
SELECT 1;
