package faultproxy

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when any goroutine is left running: Close must
// stop everything the proxy started.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
