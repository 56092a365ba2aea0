package testkit

import (
	"io"
	"testing"
)

// CloseAtEnd closes c when t ends (after the cleanups registered later) and
// fails t when closing fails: what a test opens, it closes, and a close
// that fails (a pool that cannot shut down, a flush that cannot finish) is
// a fault the test must see rather than discard.
func CloseAtEnd(t testing.TB, c io.Closer) {
	t.Helper()
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close %T when the test ends: %v", c, err)
		}
	})
}

// Close closes c now and fails t when that fails: `defer testkit.Close(t, c)`
// is the checked form of `defer c.Close()`, for what must be closed before
// the function returns (a connection the server waits for, a database file
// the test removes).
func Close(t testing.TB, c io.Closer) {
	t.Helper()
	if err := c.Close(); err != nil {
		t.Errorf("close %T: %v", c, err)
	}
}
