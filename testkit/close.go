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
