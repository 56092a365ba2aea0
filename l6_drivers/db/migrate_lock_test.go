package db

import (
	"testing"

	"github.com/pressly/goose/v3/lock"
)

// The default schema keeps goose's lock, so that replicas older than the
// per-schema lock still exclude newer ones; other schemas get locks of their
// own.
func TestMigrationLock_IsGoosesForPublicAndOwnPerSchema(t *testing.T) {
	t.Parallel()
	if got := migrationLockFor("public"); got != lock.DefaultLockID {
		t.Fatalf("public: %d, want goose's default %d", got, lock.DefaultLockID)
	}
	a, b := migrationLockFor("t_0a1b"), migrationLockFor("t_2c3d")
	if a == b || a == lock.DefaultLockID || b == lock.DefaultLockID || a != migrationLockFor("t_0a1b") {
		t.Fatalf("per-schema locks %d, %d", a, b)
	}
}
