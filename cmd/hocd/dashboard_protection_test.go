package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// protectionEventOut is an event as GET /api/v1/protection/events lists it.
type protectionEventOut struct {
	ActorType string         `json:"actor_type"`
	ActorID   string         `json:"actor_id"`
	Endpoint  string         `json:"endpoint"`
	Method    string         `json:"method"`
	Decision  string         `json:"decision"`
	Dimension string         `json:"dimension"`
	Details   map[string]any `json:"details"`
}

// sameRun is whether two events differ only in their time and figures,
// which the Protection page shows as one row.
func (e protectionEventOut) sameRun(o protectionEventOut) bool {
	return e.Dimension == o.Dimension && e.Decision == o.Decision && e.Method == o.Method &&
		e.Endpoint == o.Endpoint && e.ActorType == o.ActorType && e.ActorID == o.ActorID
}

// checkProtectionPage compares the events table with the API's events: one
// row per run of consecutive events of one actor on one route with one
// decision, and its count; the actor as the random tail of a key's id, not
// a 36-character UUID; each detail as a "name: value" line (a figure that
// varies in the run as its range), in a column wide enough to read.
func checkProtectionPage(t *testing.T, b *browser, h *harness, key []string) {
	t.Helper()
	var events []protectionEventOut
	h.do(http.MethodGet, "/api/v1/protection/events", nil, key...).decode(t, &events)
	var runs [][]protectionEventOut
	for _, e := range events {
		if n := len(runs); n > 0 && runs[n-1][0].sameRun(e) {
			runs[n-1] = append(runs[n-1], e)
		} else {
			runs = append(runs, []protectionEventOut{e})
		}
	}
	if len(events) != 5 || len(runs) != 3 {
		t.Fatalf("the seed's 5 events make %d runs, want 3: %+v", len(runs), events)
	}
	checkDetailsWidth(t, b)
	wrap := evalJS[[]string](b, `(() => { const w = document.querySelector("#page-protection .table-wrap");
		return [w.tabIndex, w.getAttribute("role"), w.getAttribute("aria-label")].map(String); })()`)
	if !slices.Equal(wrap, []string{"0", "region", "Protection events, newest first"}) {
		t.Errorf("the table's scroll box is not a focusable, named region: [tabIndex role aria-label] = %q", wrap)
	}
	cells := evalJS[[][]string](b, `[...document.querySelectorAll("#page-protection tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent))`)
	if len(cells) != len(runs) {
		t.Fatalf("%d rows for the API's %d events in %d runs: %v", len(cells), len(events), len(runs), cells)
	}
	for i, run := range runs {
		e, row := run[0], cells[i]
		if len(row) != 7 {
			t.Fatalf("row %d: %v, want 7 cells", i, row)
		}
		want := []string{e.Dimension, e.Decision, shownCount(int64(len(run))), e.Method + " " + e.Endpoint, "Key …" + e.ActorID[len(e.ActorID)-8:]}
		if got := row[1:6]; !slices.Equal(got, want) {
			t.Errorf("row %d shows %q, the API's run %q", i, got, want)
		}
		if title := evalJS[string](b, fmt.Sprintf(`document.querySelector("#page-protection tbody tr:nth-child(%d) .actor").title`, i+1)); title != e.ActorID {
			t.Errorf("row %d: the actor's full id %q is not a hover away (%q)", i, e.ActorID, title)
		}
		shown := evalJS[[]string](b, fmt.Sprintf(`[...document.querySelectorAll("#page-protection tbody tr:nth-child(%d) td:last-child li")].map((li) => li.textContent)`, i+1))
		if want := readableDetails(run); !slices.Equal(shown, want) {
			t.Errorf("row %d details %q, want %q", i, shown, want)
		}
	}
	// The seed's two key ids are UUIDv7s made a moment apart, which begin
	// alike: their short forms must still tell them apart.
	if runs[0][0].ActorID == runs[2][0].ActorID {
		t.Fatalf("the first and last rows are one key's: the check below would prove nothing")
	}
	if cells[0][5] == cells[2][5] {
		t.Errorf("two keys' events name the same actor: %q", cells[0][5])
	}
	if got, want := b.text("#protection-count"), "Events 1–5 of 5, in 3 rows"; got != want {
		t.Errorf("count line %q, want %q", got, want)
	}
}

// checkDetailsWidth fails when the Details column is too narrow to read
// (on a phone it once had about 3 characters, while the table scrolled
// sideways for the other columns): a detail line must fit in 12 em.
func checkDetailsWidth(t *testing.T, b *browser) {
	t.Helper()
	if ems := evalJS[float64](b, `(() => { const c = document.querySelector("#page-protection tbody td:last-child");
		return c.getBoundingClientRect().width / parseFloat(getComputedStyle(c).fontSize); })()`); ems < 12 {
		t.Errorf("the Details column is %.1f em wide", ems)
	}
}

// readableDetails is what the page should list for a run's details, in the
// order of their keys: words for the name, a unit for milliseconds,
// integers grouped by thousands, and a number that varies in the run as its
// lowest–highest.
func readableDetails(run []protectionEventOut) []string {
	values := map[string][]any{}
	for _, e := range run {
		for k, v := range e.Details {
			values[k] = append(values[k], v)
		}
	}
	var lines []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		name, unit := k, ""
		if n, ok := strings.CutSuffix(k, "_ms"); ok {
			name, unit = n, " ms"
		}
		lines = append(lines, strings.ReplaceAll(name, "_", " ")+": "+detailValue(values[k])+unit)
	}
	return lines
}

func detailValue(vs []any) string {
	show := func(f float64) string {
		if f == float64(int64(f)) {
			return shownCount(int64(f))
		}
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	var nums []float64
	for _, v := range vs {
		if f, ok := v.(float64); ok {
			nums = append(nums, f)
		}
	}
	if len(nums) == len(vs) {
		lo, hi := slices.Min(nums), slices.Max(nums)
		if lo == hi {
			return show(lo)
		}
		return show(lo) + "–" + show(hi)
	}
	var distinct []string
	for _, v := range vs {
		if s := fmt.Sprint(v); !slices.Contains(distinct, s) {
			distinct = append(distinct, s)
		}
	}
	return strings.Join(distinct, ", ")
}
