package api

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestOutageLog_OneErrorLineAMinuteWithTheCount: the first failure of an
// interval is logged at error, the rest are counted, and the count is
// reported once the interval is over — by the next request, failing or not —
// after which the next failure opens a new interval.
func TestOutageLog_OneErrorLineAMinuteWithTheCount(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	o := newOutageLog(slog.New(slog.NewJSONHandler(&buf, nil)), func() time.Time { return now })
	ctx := context.Background()
	for i := range 500 {
		o.failed(ctx, slog.Int("i", i))
		o.due(ctx)
		now = now.Add(100 * time.Millisecond) // 50 s in all
	}
	now = now.Add(20 * time.Second)
	o.due(ctx) // a request after the interval, answered or not
	o.failed(ctx, slog.Int("i", 500))

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), buf.String())
	}
	if lines[0]["level"] != "ERROR" || lines[0]["i"] != float64(0) {
		t.Errorf("first line: %v", lines[0])
	}
	if lines[1]["level"] != "WARN" || lines[1]["failures"] != float64(500) {
		t.Errorf("the interval's count: %v", lines[1])
	}
	if lines[2]["level"] != "ERROR" || lines[2]["i"] != float64(500) {
		t.Errorf("the next interval's first line: %v", lines[2])
	}
}
