package telemetry

// Fuzz targets for the query parameters the telemetry engine decides: the
// summary/daily window (resolveWindow) and the history cursor
// (decodeCursor). Properties, for any input: no panic; a refusal is a
// client error (validation for the window, invalid request for the
// cursor), never internal; the verdict is deterministic; and what is
// accepted keeps the rules (a window of 1..366 days with start <= end, the
// dates as sent or the defaults; a cursor that is exactly what
// encodeCursor would have written for it). Seeds: the f.Add calls below
// and testdata/fuzz/<FuzzName>/ (long inputs).
//
//	go test -run '^$' -fuzz '^FuzzResolveWindow$' -fuzztime 20s ./l5_engines/telemetry

import (
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"hoc/l5_engines/fault"
	store "hoc/l6_drivers/telemetry"
)

// fzNow is the clock of the fuzz targets, unless the input chooses one.
var fzNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fzDateText matches YYYY-MM-DD; fzCalendarDay checks the day exists.
var fzDateText = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// fzCalendarDay reads a UTC calendar day written YYYY-MM-DD, independently
// of time.Parse: the digits, then a check that the day exists.
func fzCalendarDay(s string) (time.Time, bool) {
	if !fzDateText.MatchString(s) {
		return time.Time{}, false
	}
	y, errY := strconv.Atoi(s[0:4])
	m, errM := strconv.Atoi(s[5:7])
	d, errD := strconv.Atoi(s[8:10])
	if errors.Join(errY, errM, errD) != nil {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// fzDays is the number of calendar days from a through b, both counted.
func fzDays(a, b time.Time) int {
	return int(b.Unix()/86400-a.Unix()/86400) + 1
}

// FuzzResolveWindow: resolveWindow(start, end, now) for any strings and a
// clock anywhere in 1970..2199 accepts exactly when each date given is a
// real YYYY-MM-DD day from year 1 on and the window they make with the
// defaults (end: today; start: end - 29 days) holds 1..366 days; it answers those dates,
// else a validation error naming start_date / end_date.
func FuzzResolveWindow(f *testing.F) {
	dates := []string{"", "2026-11-25", "2026-10-27", "2025-11-25", "2025-11-24", "2024-01-01", "2024-12-31",
		"2025-01-01", "2024-02-29", "2023-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-01-00",
		"0000-01-01", "0001-01-01", "9999-12-31", "1969-12-31", "2026-1-5", "2026-01-05T00:00:00Z",
		"2026/01/05", "20260105", " 2026-01-05", "2026-01-05 ", "+2026-01-05", "-2026-01-05", "２０２６-01-05",
		"2026-01-05\x00", "\x00", "x\xff", "x\xfe", "\xed\xa0\x80", "<>&", "null", "1e1000000", "-0",
		"1000000000.0000000001", "2026-11-26", "2026-11-25\n", strings.Repeat("9", 400)}
	for i, s := range dates {
		f.Add(s, dates[(i*7+3)%len(dates)], int64(0))
		f.Add(dates[(i*5+1)%len(dates)], s, int64(0))
	}
	f.Add("2024-01-01", "2024-12-31", int64(0)) // 366 days
	f.Add("2024-01-01", "2025-01-01", int64(0)) // 367 days
	f.Add("2026-02-02", "2026-02-01", int64(0)) // start after end
	f.Add("2025-11-25", "", int64(0))           // 366 days to today
	f.Add("2025-11-24", "", int64(0))           // 367 days to today
	f.Add("", "0001-01-01", int64(0))           // default start before year 1
	f.Add("", "", int64(-1))
	f.Add("", "", int64(1<<62))
	f.Fuzz(func(t *testing.T, start, end string, clock int64) {
		now := fzNow
		if clock != 0 {
			// Any instant of 1970..2199, from the input.
			span := time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
			now = time.Unix(((clock%span)+span)%span, 0).UTC()
		}
		w, err := resolveWindow(start, end, now)

		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		wantEnd, endOK := today, true
		if end != "" {
			wantEnd, endOK = fzCalendarDay(end)
		}
		wantStart, startOK := wantEnd.AddDate(0, 0, -29), true
		if start != "" {
			wantStart, startOK = fzCalendarDay(start)
		}
		inRange := endOK && startOK && wantStart.Year() >= 1 && wantEnd.Year() >= 1 &&
			!wantStart.After(wantEnd) && fzDays(wantStart, wantEnd) <= 366

		if err != nil {
			fe, ok := fault.As(err)
			if !ok || fe.Kind != fault.KindValidation || fe.Code != fault.CodeValidationFailed {
				t.Fatalf("%q..%q: refused with %T %v, want a validation error", start, end, err, err)
			}
			fields, _ := fe.Details["fields"].([]fault.FieldError)
			if len(fields) == 0 {
				t.Fatalf("%q..%q: a validation error without fields: %v", start, end, err)
			}
			for _, fld := range fields {
				if fld.Field != "start_date" && fld.Field != "end_date" || fld.Message == "" {
					t.Fatalf("%q..%q: field error %+v", start, end, fld)
				}
			}
			if inRange {
				t.Fatalf("%q..%q (now %s): a valid window of %d days refused: %v", start, end, now, fzDays(wantStart, wantEnd), fields)
			}
		} else {
			if !inRange {
				t.Fatalf("%q..%q (now %s): accepted as %+v; want a refusal", start, end, now, w)
			}
			gotStart, ok1 := fzCalendarDay(w.Start)
			gotEnd, ok2 := fzCalendarDay(w.End)
			if !ok1 || !ok2 || gotStart.After(gotEnd) || fzDays(gotStart, gotEnd) > 366 {
				t.Fatalf("%q..%q: window %+v", start, end, w)
			}
			if !gotStart.Equal(wantStart) || !gotEnd.Equal(wantEnd) || (start != "" && w.Start != start) || (end != "" && w.End != end) {
				t.Fatalf("%q..%q (now %s): window %+v, want %s..%s", start, end, now, w, wantStart.Format(dateLayout), wantEnd.Format(dateLayout))
			}
		}
		w2, err2 := resolveWindow(start, end, now)
		if w2 != w || !reflect.DeepEqual(err, err2) {
			t.Fatalf("%q..%q: not deterministic: %+v %v / %+v %v", start, end, w, err, w2, err2)
		}
	})
}

// FuzzDecodeCursor: decodeCursor on any string never panics and is
// deterministic; a cursor it accepts is exactly the text encodeCursor
// writes for what it decoded (so a cursor has one spelling, and what the
// store is given is what the server handed out), with a UTC time and a
// UUID in its canonical form; and the engine's History refuses exactly the cursors decodeCursor
// refuses, with INVALID_REQUEST.
func FuzzDecodeCursor(f *testing.F) {
	enc := func(at time.Time, id string) string { return encodeCursor(store.Cursor{OccurredAt: at, ID: id}) }
	id := "0193a8e0-0000-7000-8000-0000000000a1"
	raw := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, s := range []string{
		enc(fzNow, id), enc(fzNow.Add(123456789*time.Nanosecond), id), enc(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), id),
		enc(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), id), enc(fzNow, "00000000-0000-0000-0000-000000000000"),
		"", "=", "==", "A", "AA", "AAA", "AAAA", "!!!!", "a b", "x\xff", "x\xfe", "\x00", "\xed\xa0\x80", "<>&",
		raw("|"), raw("2026-11-25T12:00:00Z"), raw("2026-11-25T12:00:00Z|"), raw("|" + id), raw("2026-11-25T12:00:00Z|x"),
		raw("2026-11-25T12:00:00Z|" + id + "|" + id), raw("2026-11-25T12:00:00Z|" + id + "\x00"),
		raw("2026-11-25 12:00:00Z|" + id), raw("2026-02-30T12:00:00Z|" + id), raw("2026-11-25T24:00:00Z|" + id),
		raw("2026-11-25T23:59:60Z|" + id), raw("1e1000000|" + id), raw("-0|" + id), raw("\x00|" + id),
		raw("2026-11-25T12:00:00Z|<script>&</script>"), raw("x\xff|" + id),
		base64.StdEncoding.EncodeToString([]byte("2026-11-25T12:00:00Z|" + id)), // padded, standard alphabet
		strings.Repeat("A", 1000),
	} {
		f.Add(s)
	}
	e := &Engine{history: emptyHistory{}, now: func() time.Time { return fzNow }}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		c2, err2 := decodeCursor(s)
		if c != c2 || (err == nil) != (err2 == nil) {
			t.Fatalf("%q: not deterministic: %+v %v / %+v %v", s, c, err, c2, err2)
		}
		_, herr := e.History(context.Background(), HistoryRequest{TenantID: tenant, Limit: 50, Cursor: s})
		switch {
		case s == "":
			// No cursor: offset paging.
		case err != nil:
			if fe, ok := fault.As(herr); !ok || fe.Kind != fault.KindInvalidRequest || fe.Code != fault.CodeInvalidRequest {
				t.Fatalf("cursor %q refused by decodeCursor (%v), but History answered %v", s, err, herr)
			}
		case herr != nil:
			t.Fatalf("cursor %q decoded as %+v, but History refused it: %v", s, c, herr)
		}
		if err != nil {
			return
		}
		if c.OccurredAt.Location() != time.UTC {
			t.Fatalf("%q: time %v is not UTC", s, c.OccurredAt)
		}
		if u, err := uuid.Parse(c.ID); err != nil || u.String() != c.ID {
			t.Fatalf("cursor %.200q is accepted with id %.200q, which is not a UUID as the server writes it", s, c.ID)
		}
		back, err := decodeCursor(encodeCursor(c))
		if err != nil || back != c {
			t.Fatalf("%.200q: decoded %+v re-encodes to %.200q, which decodes to %+v, %v", s, c, encodeCursor(c), back, err)
		}
		if again := encodeCursor(c); again != s {
			t.Fatalf("cursor %.200q is accepted as %+v, which is written %.200q", s, c, again)
		}
	})
}

// emptyHistory is a HistoryReader of a tenant without records.
type emptyHistory struct{}

func (emptyHistory) ListRecords(context.Context, store.HistoryQuery) ([]store.RecordRow, error) {
	return nil, nil
}
func (emptyHistory) CountRecords(context.Context, store.HistoryQuery) (int64, error) { return 0, nil }
