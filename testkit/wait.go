package testkit

import (
	"testing"
	"time"
)

// DefaultWait is how long WaitFor waits: far longer than anything a test
// waits for takes on an idle machine, so that a loaded 2-core machine with
// the race detector passes as well.
const DefaultWait = 10 * time.Second

// pollEvery is how often WaitForWithin asks its condition again.
const pollEvery = 5 * time.Millisecond

// WaitFor polls cond until it holds and fails t, naming what it waited for,
// when it has not held within DefaultWait.
//
// It is for tests that run in real time: a real server, a real process, a
// real socket. Code whose every goroutine waits on channels, timers and
// locks is tested inside a testing/synctest bubble, where synctest.Wait
// replaces polling and time is fake.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	WaitForWithin(t, what, DefaultWait, cond)
}

// WaitForWithin is WaitFor with its own timeout, for outcomes that take
// longer than DefaultWait by design (an outage of several seconds).
func WaitForWithin(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		// Polling in real time is what this helper is for (see WaitFor).
		time.Sleep(pollEvery)
	}
}
