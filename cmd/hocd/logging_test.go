package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	spine "hoc/l4_spine"
)

func TestLogger_EveryLineOfARequestNamesIt(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	log := newLogger("json", "info", &out)
	ctx := spine.WithRequestID(context.Background(), "req-abc")
	log.WarnContext(ctx, "slow SQL statement", "sql", "SELECT 1")  // L6 knows no request id
	log.InfoContext(ctx, "request", "request_id", "req-abc")       // names it already: once
	log.With("component", "x").ErrorContext(ctx, "derived logger") // through WithAttrs
	log.Info("no request")                                         // none to add
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	for i, want := range []string{"req-abc", "req-abc", "req-abc", ""} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil {
			t.Fatal(err)
		}
		if got, _ := m["request_id"].(string); got != want {
			t.Errorf("line %d: request_id %q, want %q: %s", i, got, want, lines[i])
		}
		if strings.Count(lines[i], `"request_id"`) > 1 {
			t.Errorf("line %d names the request twice: %s", i, lines[i])
		}
	}
}
