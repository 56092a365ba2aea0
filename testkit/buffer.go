package testkit

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
)

// LockedBuffer collects output that several goroutines write (a server's
// log, a child process's stderr) while the test reads it. The zero value is
// ready to use.
type LockedBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	read int // how much of buf JSONLines has returned
}

// Write appends p.
func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail returns the last n bytes written, marked with "…" when cut, for
// failure messages.
func (b *LockedBuffer) Tail(n int) string {
	out := b.String()
	if len(out) > n {
		return "…" + out[len(out)-n:]
	}
	return out
}

// JSONLines returns the complete lines written since its last call, each
// parsed as a JSON object, and fails t on a line that is not one. A line
// still being written is left for the next call; String still returns
// everything.
func (b *LockedBuffer) JSONLines(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	unread := b.buf.Bytes()[b.read:]
	end := bytes.LastIndexByte(unread, '\n') + 1
	unread = bytes.Clone(unread[:end])
	b.read += end
	b.mu.Unlock()
	var out []map[string]any
	for line := range bytes.Lines(unread) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("log line is not a JSON object (%v): %s", err, line)
		}
		out = append(out, m)
	}
	return out
}
