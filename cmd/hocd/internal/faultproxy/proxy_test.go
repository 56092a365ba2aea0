package faultproxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"hoc/testkit"
)

// echoServer answers every line with the same line until the test ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]struct{}{}
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = struct{}{}
			mu.Unlock()
			wg.Go(func() {
				defer closeUnlessClosed(t, c)
				// Echo until one side closes: the proxy cutting the
				// connection (a reset, a broken pipe) or the cleanup below.
				if _, err := io.Copy(c, c); err != nil && !errors.Is(err, net.ErrClosed) &&
					!errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
					t.Errorf("echo server: %v", err)
				}
			})
		}
	})
	t.Cleanup(func() {
		testkit.Close(t, ln)
		mu.Lock()
		for c := range conns {
			closeUnlessClosed(t, c)
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// closeUnlessClosed closes c, which another step of the test may have
// closed already.
func closeUnlessClosed(t *testing.T, c net.Conn) {
	t.Helper()
	if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Errorf("close %s: %v", c.LocalAddr(), err)
	}
}

// roundTrip writes a line and reads it back within d.
func roundTrip(c net.Conn, r *bufio.Reader, line string, d time.Duration) (string, error) {
	if err := c.SetDeadline(time.Now().Add(d)); err != nil {
		return "", err
	}
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := r.ReadString('\n')
	return got, err
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { closeUnlessClosed(t, c) })
	return c, bufio.NewReader(c)
}

func TestProxy_PassCutStallRestoreClose(t *testing.T) {
	t.Parallel()
	goroutines := runtime.NumGoroutine()
	target := echoServer(t)
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}

	c, r := dial(t, p.Addr())
	if got, err := roundTrip(c, r, "hello", time.Second); err != nil || got != "hello\n" {
		t.Fatalf("passing: %q %v", got, err)
	}

	// Cut: the open connection ends, new ones are refused.
	p.Cut()
	if _, err := roundTrip(c, r, "after cut", time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("an open connection must be closed by Cut, got %v", err)
	}
	if c2, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		testkit.Close(t, c2)
		t.Fatal("a new connection was accepted while cut")
	}
	if p.Open() != 0 || p.Mode() != "cut" {
		t.Fatalf("after Cut: %d open, mode %s", p.Open(), p.Mode())
	}

	// Restore: the same address accepts again.
	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	c, r = dial(t, p.Addr())
	if got, err := roundTrip(c, r, "back", time.Second); err != nil || got != "back\n" {
		t.Fatalf("after restore: %q %v", got, err)
	}

	// Stall: nothing moves on the open connection; a new one connects but
	// gets nothing either.
	if err := p.Stall(); err != nil {
		t.Fatal(err)
	}
	if _, err := roundTrip(c, r, "held", 300*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a stalled connection must stay silent, got %v", err)
	}
	c2, r2 := dial(t, p.Addr())
	if _, err := roundTrip(c2, r2, "held too", 300*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection accepted while stalled must stay silent, got %v", err)
	}

	// Restore: what was held is delivered.
	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c    net.Conn
		r    *bufio.Reader
		want string
	}{{c, r, "held\n"}, {c2, r2, "held too\n"}} {
		if err := tc.c.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
			t.Fatal(err)
		}
		if got, err := tc.r.ReadString('\n'); err != nil || got != tc.want {
			t.Fatalf("held bytes after restore: %q %v, want %q", got, err, tc.want)
		}
	}

	// A stall that ends in a cut closes the held connections.
	if err := p.Stall(); err != nil {
		t.Fatal(err)
	}
	c3, r3 := dial(t, p.Addr())
	if _, err := io.WriteString(c3, "never\n"); err != nil {
		t.Fatal(err)
	}
	testkit.WaitFor(t, "the stalled connection to be accepted", func() bool { return p.Open() >= 3 })
	p.Cut()
	if err := c3.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := r3.ReadString('\n'); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Cut must close a held connection, got %v", err)
	}
	if err := p.Stall(); err != nil { // a stall after a cut listens again
		t.Fatal(err)
	}
	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	c, r = dial(t, p.Addr())
	if got, err := roundTrip(c, r, "again", time.Second); err != nil || got != "again\n" {
		t.Fatalf("after cut, stall and restore: %q %v", got, err)
	}
	if p.Accepted() < 5 {
		t.Fatalf("accepted %d connections, want at least 5", p.Accepted())
	}

	// Close leaves nothing running, with connections open and stalled.
	if err := p.Stall(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "pending\n"); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Restore(); err != nil { // a closed proxy stays closed
		t.Fatal(err)
	}
	if c4, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		testkit.Close(t, c4)
		t.Fatal("a closed proxy accepted a connection")
	}
	for _, c := range []net.Conn{c, c2, c3} {
		testkit.Close(t, c)
	}
	testkit.WaitFor(t, "the proxy's goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines+3 })
}

func TestProxy_UnreachableTargetClosesTheClient(t *testing.T) {
	t.Parallel()
	p, err := New(testkit.FreeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	defer testkit.Close(t, p)
	c, r := dial(t, p.Addr())
	if _, err := roundTrip(c, r, "x", 2*time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("a connection to a dead target must be closed, got %v", err)
	}
}
