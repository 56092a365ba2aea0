package db

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestStatementLog_FastStatementIsNeverRendered(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := statementLog{log: slog.New(slog.NewTextHandler(&out, nil))}
	rendered := false
	l.Trace(context.Background(), time.Now(), func() (string, int64) { rendered = true; return "SELECT 1", 1 }, nil)
	if rendered || out.Len() > 0 {
		t.Fatalf("a fast, successful statement was rendered (%v) or logged: %q", rendered, out.String())
	}
}

func TestStatementLog_SlowStatementIsLoggedShort(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := statementLog{log: slog.New(slog.NewTextHandler(&out, nil))}
	long := "INSERT INTO usage_records VALUES " + strings.Repeat("(?,?,?),", 10_000)
	l.Trace(context.Background(), time.Now().Add(-time.Second), func() (string, int64) { return long, 1 }, nil)
	got := out.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "INSERT INTO usage_records") {
		t.Fatalf("slow statement not logged at warn: %q", got)
	}
	if len(got) > 2*maxLoggedSQL {
		t.Fatalf("log line is %d bytes, want the statement cut to about %d", len(got), maxLoggedSQL)
	}
}

func TestStatementLog_ExpectedErrorsAreNotFailures(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	l := statementLog{log: slog.New(slog.NewTextHandler(&out, nil))}
	l.Trace(context.Background(), time.Now(), func() (string, int64) { return "SELECT 1", 0 }, context.Canceled)
	if out.Len() > 0 {
		t.Fatalf("a cancelled statement was logged: %q", out.String())
	}
	l.Trace(context.Background(), time.Now(), func() (string, int64) { return "SELECT 2", 0 }, errors.New("boom"))
	if !strings.Contains(out.String(), "level=ERROR") || !strings.Contains(out.String(), "SELECT 2") {
		t.Fatalf("a failed statement was not logged at error: %q", out.String())
	}
}
