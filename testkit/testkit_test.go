package testkit_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"hoc/testkit"
)

func TestClock_MovesOnlyWhenAdvanced(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	c := testkit.NewClock(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %v, want the start %v", got, start)
	}
	c.Advance(90 * time.Second)
	if got := c.Now(); !got.Equal(start.Add(90 * time.Second)) {
		t.Fatalf("Now after Advance = %v, want %v", got, start.Add(90*time.Second))
	}
}

func TestLockedBuffer_JSONLinesReturnsEachCompleteLineOnce(t *testing.T) {
	t.Parallel()
	var b testkit.LockedBuffer
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			if _, err := fmt.Fprintf(&b, "{\"n\":%d}\n", i); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := b.JSONLines(t); len(got) != 4 {
		t.Fatalf("first read: %d lines, want 4: %v", len(got), got)
	}
	if _, err := io.WriteString(&b, "{\"n\":4}\n{\"n\":"); err != nil {
		t.Fatal(err)
	}
	if got := b.JSONLines(t); len(got) != 1 || got[0]["n"] != 4.0 {
		t.Fatalf("second read: %v, want only the one new complete line", got)
	}
	if _, err := io.WriteString(&b, "5}\n"); err != nil {
		t.Fatal(err)
	}
	if got := b.JSONLines(t); len(got) != 1 || got[0]["n"] != 5.0 {
		t.Fatalf("third read: %v, want the line completed since", got)
	}
	if s := b.String(); strings.Count(s, "\n") != 6 {
		t.Fatalf("String lost lines that JSONLines returned:\n%s", s)
	}
}

func TestLockedBuffer_TailKeepsTheEnd(t *testing.T) {
	t.Parallel()
	var b testkit.LockedBuffer
	if _, err := io.WriteString(&b, "0123456789"); err != nil {
		t.Fatal(err)
	}
	if got := b.Tail(4); got != "…6789" {
		t.Errorf("Tail(4) = %q", got)
	}
	if got := b.Tail(20); got != "0123456789" {
		t.Errorf("Tail(20) = %q", got)
	}
}

// closer counts its closes and fails with err.
type closer struct {
	closed int
	err    error
}

func (c *closer) Close() error {
	c.closed++
	return c.err
}

// errorRecorder stands in for the test that CloseAtEnd fails.
type errorRecorder struct {
	testing.TB
	cleanups []func()
	errors   []string
}

func (r *errorRecorder) Helper()                   {}
func (r *errorRecorder) Cleanup(f func())          { r.cleanups = append(r.cleanups, f) }
func (r *errorRecorder) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }

func TestCloseAtEnd_ClosesOnceWhenTheTestEndsAndReportsAFailure(t *testing.T) {
	t.Parallel()
	for _, fail := range []error{nil, errors.New("flush failed")} {
		r := &errorRecorder{TB: t}
		c := &closer{err: fail}
		testkit.CloseAtEnd(r, c)
		if c.closed != 0 {
			t.Fatal("closed before the test ended")
		}
		for _, f := range r.cleanups {
			f()
		}
		if c.closed != 1 {
			t.Fatalf("closed %d times when the test ended, want once", c.closed)
		}
		if reported := len(r.errors) == 1 && strings.Contains(r.errors[0], "flush failed"); reported != (fail != nil) {
			t.Fatalf("close error %v reported as %q", fail, r.errors)
		}
	}
}

func TestClose_ClosesAtOnceAndReportsAFailure(t *testing.T) {
	t.Parallel()
	r := &errorRecorder{TB: t}
	ok, failing := &closer{}, &closer{err: errors.New("reset by peer")}
	testkit.Close(r, ok)
	testkit.Close(r, failing)
	if ok.closed != 1 || failing.closed != 1 || len(r.cleanups) != 0 {
		t.Fatalf("closed %d and %d times, %d cleanups; want each closed once, at once", ok.closed, failing.closed, len(r.cleanups))
	}
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "reset by peer") {
		t.Fatalf("reported %q, want the one failure", r.errors)
	}
}

func TestFreeAddr_NothingListensThere(t *testing.T) {
	t.Parallel()
	addr := testkit.FreeAddr(t)
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		testkit.Close(t, conn)
		t.Fatalf("something listens on %s", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the free address %s cannot be listened on: %v", addr, err)
	}
	testkit.Close(t, ln)
}

// fatalRecorder stands in for the test that WaitForWithin fails.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestWaitFor_ReturnsOnceTheConditionHoldsAndFailsWhenItNeverDoes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		testkit.WaitFor(t, "a second to pass", func() bool { return time.Since(start) >= time.Second })
		if waited := time.Since(start); waited > time.Second+time.Second/10 {
			t.Errorf("returned %v after the condition held", waited-time.Second)
		}

		f := &fatalRecorder{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			testkit.WaitForWithin(f, "what never happens", time.Minute, func() bool { return false })
		}()
		<-done
		if !strings.Contains(f.msg, "what never happens") || time.Since(start) < time.Minute {
			t.Errorf("failed with %q after %v, want a failure naming the condition after the timeout", f.msg, time.Since(start))
		}
	})
}

func TestHandlerTransport_ServesWithoutASocket(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusTeapot)
			if _, err := io.WriteString(w, r.Method+" "+r.URL.Path); err != nil {
				t.Error(err)
			}
		})
		client := &http.Client{Transport: testkit.HandlerTransport{Handler: h}}
		resp, err := client.Get("http://example.test/keys")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusTeapot || string(body) != "GET /keys" {
			t.Fatalf("got %d %q", resp.StatusCode, body)
		}
	})
}
