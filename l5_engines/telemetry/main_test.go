package telemetry

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any test leaves a goroutine
// running: the telemetry writer starts workers that must stop when it is closed.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
