package telemetry

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests when any test leaves a goroutine
// running: this package starts workers that must stop with what owns them.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
