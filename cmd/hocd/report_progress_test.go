package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"hoc/l2_api/client"
	"hoc/testkit"
)

// TestProgressLine_ShowsTotalPercentRateAndETAWhenTheTotalIsKnown is issue
// 15 item 12: the progress of a file says how far along it is and how long
// is left; of a pipe, what it can.
func TestProgressLine_ShowsTotalPercentRateAndETAWhenTheTotalIsKnown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		stats   client.Stats
		invalid int64
		total   int
		elapsed time.Duration
		want    string
	}{
		{"a file, a quarter done", client.Stats{Accepted: 40, Rejected: 3, Conflicts: 2, Retries: 7}, 5, 200, 10 * time.Second,
			"50/200 lines (25%)  5/s  ETA 30s  accepted 40  duplicates 0  rejected 5  failed 0  invalid 5  retries 7"},
		{"a file, nothing done yet", client.Stats{}, 0, 200, time.Second,
			"0/200 lines (0%)  0/s  ETA ?  accepted 0  duplicates 0  rejected 0  failed 0  invalid 0  retries 0"},
		{"a file, done", client.Stats{Duplicates: 200}, 0, 200, 4 * time.Second,
			"200/200 lines (100%)  50/s  accepted 0  duplicates 200  rejected 0  failed 0  invalid 0  retries 0"},
		{"an hour left", client.Stats{Accepted: 1000}, 0, 361_000, 10 * time.Second,
			"1000/361000 lines (0%)  100/s  ETA 1h0m0s  accepted 1000  duplicates 0  rejected 0  failed 0  invalid 0  retries 0"},
		{"an empty file", client.Stats{}, 0, 0, time.Second,
			"0/0 lines (100%)  0/s  accepted 0  duplicates 0  rejected 0  failed 0  invalid 0  retries 0"},
		{"a pipe", client.Stats{Accepted: 90, Failed: 10}, 0, -1, 10 * time.Second,
			"100 lines  10/s  accepted 90  duplicates 0  rejected 0  failed 10  invalid 0  retries 0"},
	}
	for _, tc := range cases {
		if got := progressLine(tc.stats, tc.invalid, tc.total, tc.elapsed); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestCountRecordLines_CountsWhatTheReadingLoopSends: the total is the
// lines the loop will judge (blank ones are skipped by both), from where
// the file is read, without moving it; a pipe has no total.
func TestCountRecordLines_CountsWhatTheReadingLoopSends(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		at         int64
		want       int
	}{
		{"lines", "{}\n{}\n{}\n", 0, 3},
		{"blank and space-only lines", "\n{}\n \t\r\n\r\n{}\n\n", 0, 2},
		{"no final newline", "{}\n{}", 0, 2},
		{"CRLF", "{}\r\n{}\r\n", 0, 2},
		{"not JSON is still a line", "{}\nnot json\n", 0, 2},
		{"from an offset", "{}\n{}\n{}\n", 3, 2},
		{"empty", "", 0, 0},
	}
	for _, tc := range cases {
		path := filepath.Join(t.TempDir(), "records.jsonl")
		if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Seek(tc.at, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		n, ok := countRecordLines(f, tc.at)
		at, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			t.Fatal(err)
		}
		testkit.Close(t, f)
		if n != tc.want || !ok || at != tc.at {
			t.Errorf("%s: %d lines, %v, offset %d; want %d lines at offset %d", tc.name, n, ok, at, tc.want, tc.at)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer testkit.Close(t, r)
	defer testkit.Close(t, w)
	if n, ok := countRecordLines(r, 0); ok {
		t.Fatalf("a pipe counted %d lines: it can be read only once", n)
	}
}
