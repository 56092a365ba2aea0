// Package integrations is the persistence of the integrations domain: a
// tenant's integrations (soft deleted, so that usage keeps its target), the
// keys of each integration, and the tenant's machine API keys. It returns
// plain row structs and its own sentinel errors; the engine above declares
// the port this package satisfies.
//
// Secrets never reach this package, only their hashes. Keys are looked up by
// hash: the hash of a 32-byte random secret cannot be guessed, so an indexed
// equality lookup leaks nothing an attacker could use, and the engine still
// compares the hash it computed with the stored one in constant time.
//
// Raw queries end in Find, never Scan: gorm's Scan logs a slow or failed
// statement through a recorder that bypasses the database logger's parameter
// filter, which would put tenants' data and key hashes in the log.
//
// Ids are canonical lowercase UUIDs. An id in any other form names no row
// and is reported as not found, identically on SQLite (where ids are text) and
// Postgres (where the uuid type would otherwise reject it with an error).
package integrations
