// Package telemetry is the persistence of LLM usage telemetry: the
// append-only usage_records table and its daily rollup, usage_daily. It
// returns plain row structs; the telemetry engine declares the port this
// package satisfies.
//
// There is one write, WriteRecords, which stores the new records of an
// ingest and adds exactly those to the daily rollups, atomically: on
// Postgres one statement (no transaction needed), on SQLite three
// statements in one transaction. It joins the transaction of its context,
// if any (db.Conn(ctx)). Summaries read only the rollup; history reads the
// records.
//
// Raw queries end in Find, never in gorm's Scan: Scan logs a slow or failed
// statement through a recorder that bypasses the database logger's
// parameter filter, which would put tenants' data and key hashes in the
// log. l6_drivers/db's TestDrivers_NeverCallGormScan holds every driver to
// it.
//
// Times are stored in UTC with microsecond precision (db.UTC). On SQLite
// they are text in the driver's format "2006-01-02 15:04:05.999999999-07:00":
// the fraction loses its trailing zeros, yet because every stored time ends in
// "+00:00" and '+' sorts before '.' and before every digit, the text still
// sorts and compares in time order (a whole second before its fractions,
// 0.12 before 0.123); the history tests pin this down. Bound parameters go
// through the same formatting, so comparisons with a cursor are exact.
package telemetry
