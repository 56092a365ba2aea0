package db

import "github.com/google/uuid"

// CanonicalUUIDs reports whether every id is a UUID in its canonical
// lowercase, hyphenated form. Drivers check ids with it before a query so
// that a malformed id is "not found" on every backend: Postgres would reject
// it with an error where SQLite would simply find nothing.
func CanonicalUUIDs(ids ...string) bool {
	for _, id := range ids {
		u, err := uuid.Parse(id)
		if err != nil || u.String() != id {
			return false
		}
	}
	return true
}
